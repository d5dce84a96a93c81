"""reallabor ports on virtual boards started with `reallabor virtual-board` (they register in the
data directory while they run): what answers on each port, chip and MAC, our firmware on it and
whether it is current, the device its config names and what the inventory knows; the ROM
bootloader only when asked; a port another program holds is left alone; a probed board keeps
running its program."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

ROOT = Path(__file__).resolve().parents[2]
BOARD = "esp32-devkitc"


@pytest.fixture
def start(data_dir):
    """start(*args) -> (process, [ports]): `reallabor virtual-board ARGS`, stopped after the test."""
    running = []

    def run(*args, count=1):
        env = {**os.environ, "PYTHONPATH": str(ROOT / "host"), "REALLABOR_DATA": str(data_dir), "LANG": "en"}
        p = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "virtual-board", *args], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
        running.append(p)
        ports = []
        while len(ports) < count:
            line = p.stdout.readline()
            assert line, p.stderr.read()
            found = re.search(r"(/dev/pts/\d+)", line)
            if found:
                ports.append(found[1])
        return p, ports

    yield run
    for p in running:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
            p.wait(20)


def rows(out: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("/dev/pts/")
            and ":" not in line.split()[0]}


def test_what_is_on_each_port(start, cli, data_dir, site_profile):
    site_profile(data_dir, sensors=[])
    _, (deployed, bare) = start("--count", "2", "--mac", "02:00:00:00:77:01", count=2)
    _, (rom,) = start("--bootloader", "--mac", "02:00:00:00:77:09")
    assert cli("deploy", "--port", deployed, "--board", BOARD).returncode == 0
    assert cli("provision", "--port", deployed, "--board", BOARD, "--site", "hof", "--name", "Hof 7").returncode == 0

    passive = cli("ports", "--no-probe", "--lang", "en")
    assert passive.returncode == 0
    table = rows(passive.stdout)
    assert table[deployed][1:3] == ["virtual", "-"] and table[rom][1:4] == ["virtual-ROM", "-", "esp32"]

    done = cli("ports", "--lang", "en")
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert table[deployed][1:] == ["virtual", "MicroPython", "linux", "02:00:00:00:77:01", "1.29.0", "current",
                                   "rl-007701", "@", "hof", "rl-007701", '"Hof', '7"', "@", "hof"]
    assert table[bare][1:7] == ["virtual", "MicroPython", "linux", "02:00:00:00:77:02", "1.29.0", "-"]
    assert table[rom][1:6] == ["virtual-ROM", "nothing", "esp32", "02:00:00:00:77:09", "-"]
    assert f"{rom}: a virtual board in download mode" in done.stdout

    with serial.Serial(deployed, 115200, timeout=0.2) as s:  # the probe restarted its program: it samples on
        end, heard = time.monotonic() + 8, b""
        while time.monotonic() < end and b"sample seq=" not in heard:
            heard += s.read(4096)
    assert b"sample seq=" in heard

    asked = cli("ports", "--probe-bootloader", "--lang", "en")
    assert rows(asked.stdout)[rom][1:6] == ["virtual-ROM", "bootloader", "esp32", "02:00:00:00:77:09", "-"]
    assert f"{rom}: the port has no reset lines" in asked.stdout


def test_a_port_another_program_reads_is_left_alone_and_stopped_boards_go(start, cli):
    p, (port,) = start()
    reader = subprocess.Popen(["cat", port], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        done = cli("ports", "--lang", "en")
    finally:
        reader.terminate()
        reader.wait()
    assert rows(done.stdout)[port][2] == "-"  # not asked
    assert f"{port}: open in cat (PID {reader.pid}); not asked" in done.stdout
    os.kill(p.pid, signal.SIGINT)
    p.wait(20)
    gone = cli("ports", "--no-probe", "--lang", "en")
    assert port not in rows(gone.stdout)
