"""The firmware cache: manifest with SHA-256, wrong build for the chip refused, downloads checked
against a pin (served by a local HTTP server: there is no internet here)."""

import functools
import hashlib
import http.server
import json
import threading

import pytest

pytestmark = pytest.mark.usefixtures("english")

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


def publish(root, build, version, data, date="20241129"):
    """Lay out a release as micropython.org does: the file, and a link to it on the board's page."""
    name = f"{build}-{date}-v{version}.bin"
    files = root / "resources" / "firmware"
    files.mkdir(parents=True, exist_ok=True)
    (files / name).write_bytes(data)
    page = root / "download" / build.split("-")[0]
    page.mkdir(parents=True, exist_ok=True)
    index = page / "index.html"
    links = index.read_text() if index.exists() else ""
    index.write_text(links + f'<a href="/resources/firmware/{name}">v{version} ({date}) .bin</a>\n')
    return name


def pin(build, version, file, sha256):
    return {(build, version): firmware.Pin(build, version, file, sha256, "test")}


def test_fetch_keeps_a_download_that_matches_its_pin(server, cache):
    root, url = server
    data = espimage.synthetic_firmware("esp32c3", 40_000)
    name = publish(root, "ESP32_GENERIC_C3", "1.24.1", data)
    pins = pin("ESP32_GENERIC_C3", "1.24.1", name, hashlib.sha256(data).hexdigest())
    fetched = firmware.fetch("ESP32_GENERIC_C3", "1.24.1", site=url, pins=pins)
    assert fetched.image.source == url + "resources/firmware/" + name and fetched.pin_saved is None
    assert firmware.load(fetched.image) == data


def test_fetch_refuses_a_download_with_another_hash(server, cache):
    root, url = server
    name = publish(root, "ESP32_GENERIC", "1.24.1", espimage.synthetic_firmware("esp32", 40_000))
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", site=url, pins=pin("ESP32_GENERIC", "1.24.1", name, "0" * 64))
    assert e.value.key == "firmware.hash_mismatch" and e.value.params["expected"] == "0" * 64
    assert firmware.images() == [] and not (cache / "ESP32_GENERIC-v1.24.1.bin").exists()


def test_fetch_without_any_hash_downloads_nothing_and_says_where_to_get_one(server):
    root, url = server
    publish(root, "ESP32_GENERIC", "1.24.1", espimage.synthetic_firmware("esp32", 40_000))
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", site=url, pins={})
    assert e.value.key == "firmware.not_pinned" and e.value.exit_code == 2
    assert e.value.params["page"] == url + "download/ESP32_GENERIC/"
    text = e.value.message()
    assert "reallabor firmware add" in text and "sha256sum" in text and "stand-in" in text


def test_fetch_reports_an_unreachable_server(server):
    _root, url = server
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", site=url, pins=pin("ESP32_GENERIC", "1.24.1", "missing.bin", "0" * 64))
    assert e.value.key == "firmware.download_failed" and "404" in str(e.value.params["error"])


def test_any_version_with_a_hash_finds_its_file_on_the_download_page(server, cache, data_dir):
    """A version nobody pinned: its file name (with the release date) comes from the board's page,
    the variant's from its base board's page; the hash that matched is remembered for next time."""
    root, url = server
    data = espimage.synthetic_firmware("esp32s3", 50_000, seed=7)
    publish(root, "ESP32_GENERIC_S3", "1.22.0", espimage.synthetic_firmware("esp32s3", 50_000))  # another build
    name = publish(root, "ESP32_GENERIC_S3-SPIRAM_OCT", "1.26.0", data, date="20250809")
    digest = hashlib.sha256(data).hexdigest()
    fetched = firmware.fetch("ESP32_GENERIC_S3-SPIRAM_OCT", "1.26.0", sha256=digest.upper(), site=url)
    assert fetched.image.source.endswith("/resources/firmware/" + name)
    assert fetched.pin_saved == data_dir / "firmware-pins.json"
    saved = json.loads(fetched.pin_saved.read_text())
    assert saved["pins"] == [{"build": "ESP32_GENERIC_S3-SPIRAM_OCT", "version": "1.26.0", "file": name,
                              "sha256": digest}]
    (root / "download" / "ESP32_GENERIC_S3" / "index.html").unlink()  # the pin knows the file now
    again = firmware.fetch("ESP32_GENERIC_S3-SPIRAM_OCT", "1.26.0", site=url)
    assert again.image.sha256 == digest and again.pin_saved is None


def test_a_version_the_page_does_not_list_names_those_it_does(server, data_dir):
    root, url = server
    publish(root, "ESP32_GENERIC", "1.23.0", b"x", date="20240602")
    publish(root, "ESP32_GENERIC", "1.24.1", b"y")
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.25.0", sha256="1" * 64, site=url)
    assert e.value.key == "firmware.not_listed" and e.value.exit_code == 2
    assert e.value.params["listed"] == "1.24.1, 1.23.0"


def test_a_hash_against_the_pin_is_refused(server, data_dir):
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", sha256="1" * 64, site=server[1],
                       pins=pin("ESP32_GENERIC", "1.24.1", "f.bin", "2" * 64))
    assert e.value.key == "firmware.pin_conflict"
    with pytest.raises(ReallaborError) as e:
        firmware.fetch("ESP32_GENERIC", "1.24.1", sha256="xyz", site=server[1])
    assert e.value.key == "firmware.bad_sha256" and e.value.exit_code == 2


def test_the_shipped_pins_file_is_valid_and_a_broken_user_file_is_named(data_dir):
    assert isinstance(firmware.load_pins(), dict)  # pins.json beside the module loads
    raw = json.loads(firmware.PINS.read_text())
    assert raw["format"] == "reallabor-firmware-pins" and all(len(p["sha256"]) == 64 for p in raw["pins"])
    (data_dir / "firmware-pins.json").write_text('{"format": "reallabor-firmware-pins", "version": 1, '
                                                 '"pins": [{"build": "ESP32_GENERIC", "version": "1.24.1"}]}')
    with pytest.raises(ReallaborError) as e:
        firmware.load_pins()
    assert e.value.key == "file.invalid" and "pins[0].file" in e.value.detail_lines()[0]


def test_cli_fetch_from_a_mirror_with_a_checked_hash(server, cache, data_dir, cli, tmp_path):
    root, url = server
    data = espimage.synthetic_firmware("esp32", 60_000, seed=3)
    publish(root, "ESP32_GENERIC", "1.25.0", data, date="20250415")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = cli("firmware", "fetch", "--build", "ESP32_GENERIC", "--version", "1.25.0", "--sha256",
               hashlib.sha256(data).hexdigest(), "--mirror", url, "--lang", "en", data=data_dir, env=env)
    assert done.returncode == 0, done.stderr
    assert "Added: ESP32_GENERIC 1.25.0" in done.stdout and "recorded in" in done.stdout
    again = cli("firmware", "fetch", "--build", "ESP32_GENERIC", "--version", "1.25.0", "--mirror", url,
                data=data_dir, env=env)
    assert again.returncode == 0, again.stderr
    unknown = cli("firmware", "fetch", "--build", "ESP32_GENERIC", "--version", "1.26.0", "--mirror", url,
                  "--lang", "en", data=data_dir, env=env)
    assert unknown.returncode == 2 and "download/ESP32_GENERIC/" in unknown.stderr


def test_stand_in_is_labelled_and_comes_after_real_images(tmp_path, cli, cache):
    entry = firmware.stand_in("ESP32_GENERIC_C3")
    assert (entry.version, entry.chip, entry.stand_in) == ("stand-in", "esp32c3", True)
    assert firmware.find("ESP32_GENERIC_C3").stand_in
    real = tmp_path / "real.bin"
    real.write_bytes(espimage.synthetic_firmware("esp32c3", 30_000, seed=9))
    firmware.add(real, "ESP32_GENERIC_C3", "1.24.1")
    assert firmware.find("ESP32_GENERIC_C3").version == "1.24.1"  # a real one wins
    with pytest.raises(ReallaborError) as e:
        firmware.stand_in("LILYGO_T3S3")
    assert e.value.key == "firmware.stand_in_chip"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    listed = cli("firmware", "list", "--lang", "en", env=env)
    assert "stand-in, not MicroPython" in listed.stdout
    added = cli("firmware", "stand-in", "--build", "ESP32_GENERIC", "--lang", "en", env=env)
    assert added.returncode == 0 and "NOT MicroPython" in added.stdout
