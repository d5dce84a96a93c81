"""The firmware cache: manifest with SHA-256, wrong build for the chip refused, downloads checked
against a pin (served by a local HTTP server: there is no internet here)."""

import functools
import hashlib
import http.server
import json
import threading

import pytest

from reallabor import espimage
from reallabor.flashing import images as firmware
from reallabor.errors import ReallaborError


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "reallabor" / "firmware"


@pytest.fixture
def server(tmp_path):
    """A local stand-in for micropython.org/resources/firmware/."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_add_records_hash_and_chip_from_the_header(tmp_path, cache):
    data = espimage.synthetic_firmware("esp32s3", 50_000)
    path = tmp_path / "fw.bin"
    path.write_bytes(data)
    entry = firmware.add(path, "ESP32_GENERIC_S3-SPIRAM_OCT", "1.24.1")
    assert (entry.chip, entry.size, entry.sha256) == ("esp32s3", len(data), hashlib.sha256(data).hexdigest())
    manifest = json.loads((cache / "manifest.json").read_text())
    assert manifest["images"][0]["sha256"] == entry.sha256
    assert firmware.load(firmware.find("ESP32_GENERIC_S3-SPIRAM_OCT")) == data


def test_wrong_build_for_the_chip_is_refused(tmp_path, cache):
    path = tmp_path / "fw.bin"
    path.write_bytes(espimage.synthetic_firmware("esp32c3", 50_000))
    with pytest.raises(ReallaborError) as e:
        firmware.add(path, "ESP32_GENERIC", "1.24.1")
    assert e.value.key == "firmware.build_chip"
    assert e.value.params["chip"] == "esp32c3" and e.value.params["expected"] == "esp32"
    assert not cache.exists() or not any(cache.iterdir())


def test_a_file_that_is_no_esp_image_is_refused(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(ReallaborError) as e:
        firmware.add(path, "ESP32_GENERIC", "1.24.1")
    assert e.value.key == "image.not_esp"


def test_newest_version_wins_and_a_changed_file_is_noticed(tmp_path, cache):
    for version, seed in (("1.23.0", 1), ("1.24.1", 2), ("1.9.4", 3)):
        path = tmp_path / f"{version}.bin"
        path.write_bytes(espimage.synthetic_firmware("esp32", 30_000, seed=seed))
        firmware.add(path, "ESP32_GENERIC", version)
    entry = firmware.find("ESP32_GENERIC")
    assert entry.version == "1.24.1"
    (cache / entry.file).write_bytes(b"\xe9" + b"\x00" * 100)
    with pytest.raises(ReallaborError) as e:
        firmware.load(entry)
    assert e.value.key == "firmware.corrupt"


def test_missing_build_names_what_is_cached(tmp_path):
    path = tmp_path / "fw.bin"
    path.write_bytes(espimage.synthetic_firmware("esp32", 30_000))
    firmware.add(path, "ESP32_GENERIC", "1.24.1")
    with pytest.raises(ReallaborError) as e:
        firmware.find("ESP32_GENERIC_C3")
    assert e.value.key == "firmware.not_cached" and e.value.params["cached"] == "ESP32_GENERIC"


def test_fetch_keeps_a_download_that_matches_its_pin(server, cache):
    root, url = server
    data = espimage.synthetic_firmware("esp32c3", 40_000)
    (root / "ESP32_GENERIC_C3-20241129-v1.24.1.bin").write_bytes(data)
    pins = {("ESP32_GENERIC_C3", "1.24.1"): ("ESP32_GENERIC_C3-20241129-v1.24.1.bin", hashlib.sha256(data).hexdigest())}
    entry = firmware.fetch("ESP32_GENERIC_C3", "1.24.1", base_url=url, pins=pins)
    assert entry.source == url + "ESP32_GENERIC_C3-20241129-v1.24.1.bin"
    assert firmware.load(entry) == data


def test_fetch_refuses_a_download_with_another_hash(server, cache):
    root, url = server
    (root / "ESP32_GENERIC-20241129-v1.24.1.bin").write_bytes(espimage.synthetic_firmware("esp32", 40_000))
    pins = {("ESP32_GENERIC", "1.24.1"): ("ESP32_GENERIC-20241129-v1.24.1.bin", "0" * 64)}
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", base_url=url, pins=pins)
    assert e.value.key == "firmware.hash_mismatch" and e.value.params["expected"] == "0" * 64
    assert firmware.images() == [] and not (cache / "ESP32_GENERIC-v1.24.1.bin").exists()


def test_fetch_without_a_pin_downloads_nothing(server):
    _root, url = server
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", base_url=url, pins={})
    assert e.value.key == "firmware.not_pinned"


def test_fetch_reports_an_unreachable_server(server):
    _root, url = server
    pins = {("ESP32_GENERIC", "1.24.1"): ("missing.bin", "0" * 64)}
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", base_url=url, pins=pins)
    assert e.value.key == "firmware.download_failed" and "404" in str(e.value.params["error"])
