"""Every error a technician can cause has a message that says what to do, in German by default and
in English on request, and never a traceback. Boards, sites and ports without hardware."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
import serial

from reallabor.fleet import sites
from reallabor.boardio.repl import port_error
from reallabor.errors import ReallaborError

pytestmark = pytest.mark.usefixtures("english")  # messages checked in English

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env=None):
    environ = {**os.environ, "PYTHONPATH": str(ROOT / "host"), "LANG": "", "LC_ALL": "", **(env or {})}
    environ.pop("REALLABOR_LANG", None)
    return subprocess.run([sys.executable, "-m", "reallabor.cli", *map(str, args)], capture_output=True, text=True,
                          env=environ, timeout=60)


def test_port_errors_as_pyserial_raises_them():
    # pyserial: SerialException(errno, "could not open port ...") / "Could not exclusively lock port ..."
    cases = {
        errno.ENOENT: "does not exist", errno.EACCES: "dialout", errno.EWOULDBLOCK: "is busy",
        errno.EBUSY: "is busy", errno.EIO: "cannot be opened",
    }
    for code, words in cases.items():
        e = port_error("/dev/ttyUSB0", serial.SerialException(code, f"could not open port: [Errno {code}]"))
        assert words in e.message(), (code, e.message())
    windows_busy = serial.SerialException("could not open port 'COM3': PermissionError(13, 'Access is denied.')")
    assert "is busy" in port_error("COM3", windows_busy).message()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may open any device")
def test_port_without_permission(tmp_path):
    import pty

    master, slave = pty.openpty()
    name = os.ttyname(slave)
    os.chmod(name, 0o000)
    try:
        done = cli("deploy", "--port", name, "--board", "esp32-devkitc", "--lang", "en")
    finally:
        os.close(master)
        os.close(slave)
    assert done.returncode == 1 and "No permission" in done.stderr


def test_unknown_board_in_german_and_english():
    de = cli("boards", "esp32-wroom")
    en = cli("boards", "esp32-wroom", "--lang", "en")
    assert de.returncode == en.returncode == 2
    assert "Unbekanntes Board" in de.stderr and "Unknown board" in en.stderr
    assert "esp32-devkitc" in en.stderr and "Traceback" not in de.stderr + en.stderr
    assert "Unknown board" in cli("boards", "x", env={"LANG": "en_GB.UTF-8"}).stderr  # from the locale


def test_boards_lists_all_six():
    done = cli("boards", "--lang", "en")
    assert done.returncode == 0
    rows = done.stdout.splitlines()[1:]
    assert [r.split()[0] for r in rows] == ["esp32-devkitc", "esp32c3-devkitm", "esp32s3-devkitc",
                                            "heltec-wifi-lora32-v3", "tbeam", "ttgo-lora32-v2.1"]


def write(path: Path, text: str, mode=0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


GOOD = ('{"format": "reallabor-site", "version": 1, "site": "hof", "wifi": {"ssid": "x", "password": "geheim"},'
        ' "mqtt": {"url": "mqtts://broker.example.org:8883"}, "lora": {"join_eui": "70B3D57ED0000000"}}')


def test_site_profile_loads(tmp_path):
    site = sites.load(str(write(tmp_path / "hof.json", GOOD)))
    assert (site.name, site.interval_s, site.join_eui, site.frequency_plan) == ("hof", 60, "70B3D57ED0000000",
                                                                                 "EU_863_870_TTN")


@pytest.mark.parametrize("text, field", [
    ("{", ""),
    (GOOD.replace('"site": "hof"', '"site": "Hof Süd"'), "site"),
    (GOOD.replace("mqtts://", "http://"), "mqtt.url"),
    (GOOD.replace('"70B3D57ED0000000"', '"70B3"'), "lora.join_eui"),
    (GOOD.replace('"version": 1', '"version": 2'), "format"),
    (GOOD.replace('"wifi"', '"wlan"'), "wlan"),
    (GOOD.replace('"mqtt"', '"sensors": [{"type": "dht22"}], "mqtt"'), "sensors[0].type"),
])
def test_bad_site_profile_names_the_field(tmp_path, text, field):
    with pytest.raises(ReallaborError) as e:
        sites.load(str(write(tmp_path / "s.json", text)))
    assert e.value.key == "file.invalid" and e.value.details[0].field.endswith(field)
    assert "geheim" not in e.value.message() + " ".join(e.value.detail_lines())


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_site_profile_readable_by_others_is_refused(tmp_path):
    path = write(tmp_path / "hof.json", GOOD, mode=0o644)
    with pytest.raises(ReallaborError) as e:
        sites.load(str(path))
    assert e.value.key == "secret.too_open" and f"chmod 600 {path}" in e.value.message()


def test_missing_site_profile(tmp_path):
    done = cli("provision", "--port", tmp_path / "p", "--board", "esp32-devkitc", "--site", "wald",
               env={"REALLABOR_DATA": str(tmp_path)})
    assert done.returncode == 2 and 'Standortprofil "wald" nicht gefunden' in done.stderr
