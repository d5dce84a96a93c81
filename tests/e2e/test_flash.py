"""Real esptool (its Python API, run by reallabor.flashing.flash in worker processes) against simulated
ROM bootloaders on pseudo-terminals; the boards' flash files are compared byte for byte."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import serial

from reallabor import boards, espimage
from reallabor.boardio import ports
from reallabor.errors import ReallaborError
from reallabor.firmware import fsimage, layout
from reallabor.flashing import flash
from reallabor.sim.rombootloader import BootloaderBoard, Faults

BOARD_FOR_CHIP = {"esp32": "esp32-devkitc", "esp32s3": "esp32s3-devkitc", "esp32c3": "esp32c3-devkitm"}
FLASH = 4 * 1024 * 1024


@pytest.fixture
def sim(tmp_path):
    """Factory for simulated boards; all are stopped at the end of the test."""
    started = []

    def make(chip="esp32", index=0, **kw):
        b = BootloaderBoard(chip, tmp_path / f"flash{index}.bin", FLASH, mac=bytes([0x24, 0x0A, 0xC4, 0, 0, index]),
                            **kw)
        started.append(b.start())
        return b

    yield make
    for b in started:
        b.stop()


def jobs(board, image, boards_, **kw):
    return [flash.Job(b.path, board.name, board.chip, image, board.flash_offset, **kw) for b in boards_]


def flash_each(job_list) -> list:
    """Each job in a worker process of its own, as `reallabor flash` runs them, one after the other."""
    return [flash.flash_in_process(j, lambda key, **params: None) for j in job_list]


@pytest.mark.parametrize("chip", ["esp32", "esp32s3", "esp32c3"])
def test_image_lands_at_the_boards_offset_for_each_chip(sim, chip):
    board = boards.load(BOARD_FOR_CHIP[chip])
    image = espimage.synthetic_firmware(chip, 300 * 1024, seed=len(chip))
    b = sim(chip)
    (r,) = flash_each(jobs(board, image, [b]))
    assert r.ok, r.error
    written = b.flash.path.read_bytes()
    assert written[board.flash_offset: board.flash_offset + len(image)] == image
    assert written[: board.flash_offset] == b"\xff" * board.flash_offset  # erased, nothing before
    assert written[board.flash_offset + len(image):] == b"\xff" * (FLASH - board.flash_offset - len(image))
    assert (r.chip, r.mac, r.baud, r.flash_size) == (chip, "24:0a:c4:00:00:00", 921600, FLASH)
    # stub uploaded, whole chip erased, compressed write, and a reboot back into the ROM loader
    assert [e.split(":")[0] for e in b.events] == ["reset", "stub", "erase_flash", "baud", "defl_begin", "begin",
                                                  "reset"]
    assert not r.reset  # a pty has no DTR/RTS: the technician is told to press RESET


def test_wrong_chip_on_the_port_is_refused_before_writing(sim):
    board = boards.load("esp32-devkitc")
    b = sim("esp32s3")
    (r,) = flash_each(jobs(board, espimage.synthetic_firmware("esp32", 64 * 1024), [b]))
    assert not r.ok and r.error == "flash.wrong_chip"
    assert r.params == {"found": "ESP32-S3", "board": "esp32-devkitc", "expected": "ESP32"}
    assert b.flash.path.read_bytes() == b"\xff" * FLASH
    assert not any(e.startswith(("erase", "defl", "begin")) for e in b.events)


def test_image_for_another_chip_is_refused_before_any_port_is_opened(sim):
    b = sim("esp32")
    with pytest.raises(ReallaborError) as e:
        flash.prepare(boards.load("esp32-devkitc"), espimage.synthetic_firmware("esp32c3", 64 * 1024), "c3.bin",
                      [b.path])
    assert e.value.key == "flash.image_wrong_chip"
    assert b.events == ["reset:power-on"]  # nobody talked to the board


def test_failing_write_at_high_baud_falls_back(sim):
    board = boards.load("esp32-devkitc")
    image = espimage.synthetic_firmware("esp32", 200 * 1024)
    b = sim("esp32", faults=Faults(max_baud=460800))
    (r,) = flash_each(jobs(board, image, [b]))
    assert r.ok and r.baud == 460800
    assert b.flash.path.read_bytes()[0x1000: 0x1000 + len(image)] == image
    bauds = [e for e in b.events if e.startswith("baud")]
    assert bauds == ["baud:921600", "baud:460800"]


def test_write_failing_at_every_baud_rate_says_so(sim):
    board = boards.load("esp32-devkitc")
    b = sim("esp32", faults=Faults(max_baud=115200))  # the stub still uploads at 115200
    (r,) = flash_each(jobs(board, espimage.synthetic_firmware("esp32", 64 * 1024), [b], bauds=(921600, 460800)))
    assert not r.ok and r.error == "flash.write_failed"
    assert r.params["bauds"] == "921600, 460800" and "checksum" in r.params["error"].lower()


def test_four_boards_in_parallel_with_one_dead_port(sim):
    board = boards.load("esp32-devkitc")
    image = espimage.synthetic_firmware("esp32", 1600 * 1024)
    sims = [sim("esp32", i, faults=Faults(silent=(i == 2))) for i in range(4)]
    todo = {j.port: j for j in jobs(board, image, sims, connect_attempts=2)}
    outcomes = ports.run(list(todo), flash.port_job(todo), out=io.StringIO())
    assert [o.port for o in outcomes] == [b.path for b in sims]
    assert [o.ok for o in outcomes] == [True, True, False, True]
    assert outcomes[2].error.key == "flash.no_data"
    for i in (0, 1, 3):
        assert outcomes[i].columns["mac"] == f"24:0a:c4:00:00:0{i}"
        assert sims[i].flash.path.read_bytes()[0x1000: 0x1000 + len(image)] == image
    assert sims[2].flash.path.read_bytes() == b"\xff" * FLASH


def test_with_app_writes_a_littlefs_image_that_mounts(sim):
    board = boards.load("esp32-devkitc")
    image = espimage.synthetic_firmware("esp32", 300 * 1024)
    b = sim("esp32")
    app = layout.board_files(board)
    (r,) = flash_each(jobs(board, image, [b], app_files=app))
    assert r.ok, r.error
    assert r.fs == (0x200000, 512)  # the vfs partition of the port's partitions-4MiB.csv
    region = b.flash.path.read_bytes()[0x200000:]
    files = fsimage.read(region, 512)
    assert files == app
    assert files["board.json"] == board.device_json()
    assert "main.py" in files and "lib/node/app.mpy" in files and layout.MANIFEST in files


def test_busy_port_is_reported_with_what_to_do(sim):
    board = boards.load("esp32-devkitc")
    b = sim("esp32")
    with serial.Serial(b.path, 115200, exclusive=True):  # a serial monitor holding the port
        (r,) = flash_each(jobs(board, espimage.synthetic_firmware("esp32", 64 * 1024), [b]))
    assert r.error == "flash.busy"
    assert b.events == ["reset:power-on"]


def test_cli_flash_reports_per_port_and_fails_with_exit_code_1(sim, tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(espimage.synthetic_firmware("esp32", 100 * 1024))
    good, other = sim("esp32", 0, link=tmp_path / "by-path" / "usb-0"), sim("esp32c3", 1)
    env = dict(os.environ, PYTHONPATH=str(Path(flash.__file__).parents[2]), LANG="de_DE.UTF-8")
    done = subprocess.run([sys.executable, "-m", "reallabor.cli", "flash", "--board", "esp32-devkitc",
                           "--image", str(image), "--port", good.path, "--port", other.path],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    table = done.stdout.splitlines()
    assert table[0].split() == ["Port", "Ergebnis", "MAC", "Chip", "Baud", "Zeit"]
    assert any(line.startswith(good.path) and line.split()[1:5] == ["ok", "24:0a:c4:00:00:00", "esp32", "921600"]
               for line in table)
    assert f"{other.path}: Auf diesem Port ist ein ESP32-C3, das Board esp32-devkitc braucht einen ESP32." in done.stdout
    assert "1 erfolgreich, 1 fehlgeschlagen." in done.stdout
    assert good.flash.path.read_bytes()[0x1000: 0x1000 + image.stat().st_size] == image.read_bytes()


def test_permission_denied_names_the_dialout_group(sim):
    """The port's permissions deny access (as /dev/ttyUSB0 does to users outside group dialout).
    Root ignores permissions, so then the check runs without the capabilities that allow that."""
    b = sim("esp32")
    os.chmod(b.device, 0)
    code = ("import sys; from reallabor.flashing import flash; "
            "r = flash.flash_port(flash.Job(sys.argv[1], 'b', 'esp32', b'', 0x1000), lambda *a, **k: None); "
            "print(r.error)")
    command = [sys.executable, "-c", code, b.path]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv (util-linux) cannot be denied a file")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"] + command
    env = dict(os.environ, PYTHONPATH=str(Path(flash.__file__).parents[2]))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.strip() == "flash.permission", done.stderr
    assert b.events == ["reset:power-on"]


def test_image_too_large_for_the_detected_flash_is_refused(tmp_path):
    board = boards.load("esp32-devkitc")  # says 4 MB; this one has 2 MB
    image = espimage.synthetic_firmware("esp32", 2600 * 1024)
    with BootloaderBoard("esp32", tmp_path / "small.bin", 2 << 20) as b:
        (r,) = flash_each(jobs(board, image, [b]))
    assert r.error == "flash.too_large" and r.flash_size == 2 << 20
    assert b.flash.path.read_bytes() == b"\xff" * (2 << 20)


def test_image_too_large_for_the_board_is_refused_before_connecting():
    board = boards.load("esp32c3-devkitm")
    with pytest.raises(ReallaborError) as e:
        flash.prepare(board, espimage.synthetic_firmware("esp32c3", board.flash_size + 65536), "big.bin", ["p"])
    assert e.value.key == "flash.image_too_large"


def test_ports_are_shown_by_their_stable_by_path_name(sim, tmp_path, monkeypatch):
    by_path = tmp_path / "serial" / "by-path"
    by_path.mkdir(parents=True)
    b = sim("esp32")
    (by_path / "pci-0000:00:14.0-usb-0:2:1.0-port0").symlink_to(b.device)
    monkeypatch.setattr(ports, "BY_PATH", by_path)
    todo = {j.port: j for j in jobs(boards.load("esp32-devkitc"), espimage.synthetic_firmware("esp32", 64 * 1024), [b])}
    (o,) = ports.run(list(todo), flash.port_job(todo), out=io.StringIO())
    assert o.ok and o.port == b.device
    assert o.name == str(by_path / "pci-0000:00:14.0-usb-0:2:1.0-port0")
    table = ports.table([o], [("mac", "ports.col.mac")])
    assert table[1].split()[::2] == [o.name, o.columns["mac"]]  # the table maps the name to the MAC


def test_bad_baud_list_is_refused(sim):
    for text in ("921600,12345", "fast", "", "921600,,115200", "９２１６００"):
        with pytest.raises(ReallaborError) as e:
            flash.parse_bauds(text)
        assert e.value.key == "flash.bad_baud" and e.value.exit_code == 2


def test_missing_port_says_to_plug_the_board_in(tmp_path):
    r = flash.flash_port(flash.Job(str(tmp_path / "ttyUSB7"), "b", "esp32", b"", 0x1000), lambda *a, **k: None)
    assert r.error == "flash.no_port"


def test_the_stand_in_is_refused_for_a_port_that_is_no_virtual_board(sim, tmp_path):
    """The stand-in is no MicroPython: only a running `reallabor virtual-board` may get it, and this
    simulated ROM loader runs in the test, not registered as one (as a real board would not be)."""
    b = sim("esp32")
    env = dict(os.environ, PYTHONPATH=str(Path(flash.__file__).parents[2]), LANG="en",
               XDG_CACHE_HOME=str(tmp_path / "cache"), REALLABOR_DATA=str(tmp_path / "data"))
    run = lambda *a: subprocess.run([sys.executable, "-m", "reallabor.cli", *a], capture_output=True, text=True,
                                    env=env, timeout=120)
    assert run("firmware", "stand-in", "--build", "ESP32_GENERIC").returncode == 0
    done = run("flash", "--board", "esp32-devkitc", "--port", b.path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"is the stand-in (reallabor firmware stand-in), not MicroPython; only virtual boards start it, and {b.path} " \
           "is none. Nothing was written" in done.stderr
    assert b.events == ["reset:power-on"]
