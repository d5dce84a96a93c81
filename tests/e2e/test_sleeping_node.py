"""Boards that are not simply there: a node with deep_sleep (on the virtual board the chip really
sleeps between cycles: nothing answers, what is typed is lost, then it wakes into main.py), and a
port that another program has open. deploy, provision and verify catch a sleeping node as it
wakes, or say what to do (wait longer, press RESET), and tell another program from a silent board."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

ROOT = Path(__file__).resolve().parents[2]
BOARD = "esp32-devkitc"
INTERVAL = 12


def until_asleep(vb, timeout=30) -> bytes:
    """Read the board's console until it announces its deep sleep."""
    heard = b""
    with serial.Serial(vb.port, 115200, timeout=0.1) as s:
        end = time.monotonic() + timeout
        while b" I sleep " not in heard and time.monotonic() < end:
            heard += s.read(4096)
        while not heard.endswith(b"\n") and time.monotonic() < end:  # the rest of that line
            heard += s.read(4096)
    assert b" I sleep " in heard, heard
    time.sleep(0.5)  # the simulator's last lines, then the chip is off
    return heard


@pytest.fixture
def sleeper(virtual_board, data_dir, cli, site_profile, broker):
    vb = virtual_board(mac="02:00:00:00:55:01")
    site_profile(data_dir, broker=broker.url, sensors=[], deep_sleep=True, interval_s=INTERVAL)
    assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
    done = cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof")
    assert done.returncode == 0, done.stderr
    return vb


def test_the_virtual_board_sleeps_for_real_and_wakes_into_main(sleeper):
    heard = until_asleep(sleeper)
    assert sleeper.asleep and b"pub reallabor/hof/rl-005501/state" in heard
    boots = sleeper.boots
    with serial.Serial(sleeper.port, 115200, timeout=0.1) as s:
        s.write(b"\r\x03\x03")  # lost: the chip is off
        time.sleep(1)
        assert s.read(4096) == b""
        end, woke = time.monotonic() + INTERVAL + 5, b""
        while b"pub reallabor/hof/rl-005501/state" not in woke and time.monotonic() < end:
            woke += s.read(4096)
    assert sleeper.boots == boots + 1 and b"pub reallabor/hof/rl-005501/state" in woke


def test_a_short_wait_says_what_to_do_and_the_default_catches_the_wake(sleeper, cli):
    until_asleep(sleeper)
    started = time.monotonic()
    short = cli("deploy", "--port", sleeper.port, "--board", BOARD, "--wait", "2", "--lang", "en")
    assert short.returncode == 1 and time.monotonic() - started < 10
    assert f"Nothing answers on port {sleeper.port} within 2 s. A node that deep-sleeps only listens once it wakes" \
           in short.stderr
    assert "press RESET (EN) on the board (a virtual board: Enter in its terminal)" in short.stderr
    assert "--wait SECONDS (more than its interval)" in short.stderr
    # Without --wait: the inventory knows this port's node sleeps 12 s, so deploy waits for it.
    until_asleep(sleeper)
    caught = cli("deploy", "--port", sleeper.port, "--board", BOARD, "--lang", "en")
    assert caught.returncode == 0, caught.stdout + caught.stderr
    assert re.search(r"copied 0, removed 0, unchanged \d+", caught.stdout), caught.stdout


def test_reset_wakes_it_at_once_and_verify_proves_a_sleeping_node_delivers(sleeper, cli, data_dir):
    until_asleep(sleeper)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "host"), "REALLABOR_DATA": str(data_dir)}
    p = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "provision", "--port", sleeper.port, "--board", BOARD,
                          "--site", "hof", "--wait", "120", "--lang", "en"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.5)
    started = time.monotonic()
    sleeper.press_reset()  # the technician presses RESET while the command waits
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, out + err
    assert time.monotonic() - started < 6  # not the rest of the sleep
    until_asleep(sleeper)
    verified = cli("verify", "--port", sleeper.port, "--lang", "en")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "[ok] delivery     reallabor/hof/rl-005501/state reached the reader" in verified.stdout
    until_asleep(sleeper)  # and it is back in its cycle: sample, send, sleep


def test_another_program_on_the_port_is_named(virtual_board, cli):
    vb = virtual_board()
    reader = subprocess.Popen(["cat", vb.port], stdout=subprocess.DEVNULL)  # a forgotten `cat /dev/ttyUSB0`
    try:
        time.sleep(0.3)
        done = cli("deploy", "--port", vb.port, "--board", BOARD, "--lang", "en")
    finally:
        reader.terminate()
        reader.wait()
    assert done.returncode == 1
    assert f"Port {vb.port} is open in another program: cat (PID {reader.pid})" in done.stderr
    assert "reads the board's answers away" in done.stderr
    again = cli("deploy", "--port", vb.port, "--board", BOARD, "--lang", "en")
    assert again.returncode == 0, again.stderr


def test_a_port_locked_by_another_program_is_busy(virtual_board, cli):
    vb = virtual_board()
    code = "import serial, sys, time; s = serial.Serial(sys.argv[1], exclusive=True); print('ok', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code, vb.port], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        done = cli("deploy", "--port", vb.port, "--board", BOARD, "--lang", "en")
    finally:
        holder.terminate()
        holder.wait()
    assert done.returncode == 1 and f"Port {vb.port} is open in another program: python" in done.stderr
