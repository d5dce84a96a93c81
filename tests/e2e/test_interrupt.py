"""Ctrl-C in the middle of a batch: SIGINT goes to the running `reallabor` process once a progress
line shows on stderr. Every command ends with the same per-port table as a finished run (done, not
started, or stopped half-way with what to do), exit code 130, and never a traceback; flash's worker
processes are ended, and what the advice says recovers the boards."""

import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from reallabor import espimage
from reallabor.boardio.repl import port_users
from reallabor.sim.rombootloader import BootloaderBoard

ROOT = Path(__file__).resolve().parents[2]
BOARD = "esp32-devkitc"


def interrupt(*args, when: str, data: Path | None = None, timeout: float = 120):
    """reallabor ARGS; SIGINT as soon as a stderr line matches `when` -> (exit code, stdout, stderr);
    the line that matched is the last one before the SIGINT."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "REALLABOR_LANG")}
    env.update(PYTHONPATH=str(ROOT / "host"), **({"REALLABOR_DATA": str(data)} if data else {}))
    p = subprocess.Popen([sys.executable, "-m", "reallabor.cli", *map(str, args), "--lang", "en"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if re.search(when, line):
            os.kill(p.pid, signal.SIGINT)
            break
    else:
        p.wait(timeout)
        pytest.fail(f"never saw {when!r}:\n{''.join(seen)}")
    out, rest = p.communicate(timeout=timeout)
    err = "".join(seen) + rest
    for text in (out, err):
        assert "Traceback" not in text and "Exception ignored" not in text and "KeyboardInterrupt" not in text, text
    return p.returncode, out, err


def row(out: str, port: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(port + " "))


def test_flash_stops_its_workers_and_says_which_boards_to_flash_again(tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(espimage.synthetic_firmware("esp32", 1200 * 1024))
    sims = [BootloaderBoard("esp32", tmp_path / f"flash{i}.bin", mac=bytes([2, 0, 0, 0, 7, i]), pace=True).start()
            for i in range(2)]
    try:
        code, out, err = interrupt("flash", "--board", BOARD, "--image", image, *[a for b in sims for a in ("--port", b.path)],
                                   when=r"writing \d+ %")
        assert code == 130, out + err
        for i, b in enumerate(sims):
            assert row(out, b.path).split()[:3] == [b.path, "STOPPED", f"02:00:00:00:07:0{i}"]
            assert (f"{b.path}: Half-written: the flash is erased, the board will not start like this. Flash it again: "
                    f"reallabor flash --board {BOARD} --port {b.path}") in out
        assert "Interrupted: 0 done, 0 failed, 2 stopped half-way, 0 not started." in out
        time.sleep(0.5)
        for b in sims:  # the worker processes are gone: nobody but this test holds the ports
            assert port_users(b.path) == []
            assert b.flash.read(0x1000, len(image.read_bytes())) != image.read_bytes()
        # What the advice says: hold BOOT, press RESET (the stub still runs at 921600 Bd), flash again.
        for b in sims:
            b.pace = False
            b.press_reset(boot_held=True)
        again = subprocess.run([sys.executable, "-m", "reallabor.cli", "flash", "--board", BOARD, "--image", str(image),
                                *[a for b in sims for a in ("--port", b.path)]], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT / "host")}, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        for b in sims:
            assert b.flash.read(0x1000, len(image.read_bytes())) == image.read_bytes()
    finally:
        for b in sims:
            b.stop()


def test_deploy_stopped_half_way_is_finished_by_running_it_again(virtual_board, data_dir, cli):
    boards = [virtual_board() for _ in range(4)]
    ports = [a for vb in boards for a in ("--port", vb.port)]
    code, out, err = interrupt("deploy", *ports, "--board", BOARD, when=r" \d+/\d+ ", data=data_dir)
    assert code == 130, out + err
    writing = next(line for line in err.splitlines() if re.search(r" \d+/\d+ ", line)).split()[0]
    assert row(out, writing).split()[1] == "STOPPED"  # it was writing files when Ctrl-C came
    states = {vb.port: row(out, vb.port).split()[1] for vb in boards}
    assert set(states.values()) <= {"ok", "STOPPED", "not"}, out
    for vb in boards:
        half = f"{vb.port}: Half-deployed (the manifest is not written yet; verify says so). Run it again, it copies " \
               f"only what is missing: reallabor deploy --port {vb.port} --board {BOARD}"
        if vb.port == writing:
            assert half in out
        if half in out:
            assert not (vb.flash / "firmware.json").exists()  # written last: the board is not claimed complete
        elif states[vb.port] != "ok":
            assert f"{vb.port}: Nothing was written." in out
    done = cli("deploy", *ports, "--board", BOARD, "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    for vb in boards:
        assert (vb.flash / "firmware.json").exists()
    from reallabor import boards as board_files
    from reallabor.firmware import layout

    everything = len(layout.board_files(board_files.load(BOARD)))
    assert int(row(done.stdout, writing).split()[3]) < everything  # only what was missing


def test_provision_names_the_devices_with_new_secrets(virtual_board, data_dir, cli, site_profile):
    boards = [virtual_board() for _ in range(3)]
    site_profile(data_dir)
    ports = [a for vb in boards for a in ("--port", vb.port)]
    assert cli("deploy", *ports, "--board", BOARD).returncode == 0
    master, slave = pty.openpty()  # a board that never answers: it is still being waited for
    silent = os.ttyname(slave)
    try:
        code, out, err = interrupt("provision", *ports, "--port", silent, "--board", BOARD, "--site", "hof", "--wait", "60",
                                   when=r"reading the MAC|recorded in the inventory|  ok$", data=data_dir)
    finally:
        os.close(master)
        os.close(slave)
    assert code == 130, out + err
    assert row(out, silent).split()[1:3] == ["not", "started"]
    assert f"{silent}: Nothing was changed. Provision it with: reallabor provision --port {silent}" in out
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        recorded = {mac for (mac,) in db.execute("SELECT mac FROM devices")}
    db.close()
    fresh = []
    for vb in boards:
        state = row(out, vb.port).split()[1]
        device = "rl-0010%s" % vb.mac[-2:]
        if vb.mac in recorded:
            fresh.append(device)
        if state == "STOPPED" and vb.mac in recorded:
            assert f"{vb.port}: {device} is recorded in the inventory, but its config may not be on the board yet" in out \
                   or f"{vb.port}: {device} is provisioned, only the restart is missing" in out, out
            assert f"{vb.port}: {device} has a new broker password: run reallabor export mosquitto again" in out
        elif state == "STOPPED":
            assert f"{vb.port}: Nothing was changed." in out
        else:
            assert state == "ok" and vb.mac in recorded, out
    if fresh:
        assert f"New broker password{'s' if len(fresh) > 1 else ''} for {', '.join(sorted(fresh))}: run reallabor " \
               "export mosquitto" in out
    done = cli("provision", *ports, "--board", BOARD, "--site", "hof", "--lang", "en")  # the advice: run it again
    assert done.returncode == 0, done.stdout + done.stderr
    assert all((vb.flash / "config.json").exists() for vb in boards)


def test_verify_interrupted_leaves_the_board_running_its_cycle(virtual_board, data_dir, cli, site_profile, broker):
    vb = virtual_board()
    site_profile(data_dir, sensors=[])  # its broker mqtt://127.0.0.1:1 never answers: verify waits
    assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
    assert cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof").returncode == 0
    code, out, err = interrupt("verify", "--port", vb.port, "--broker", broker.url, when="waiting for reallabor/",
                               data=data_dir)
    assert code == 130, out + err
    assert row(out, vb.port).split()[1] == "STOPPED"
    assert f"{vb.port}: did not finish: run the command again for this port." in out
    with serial.Serial(vb.port, 115200, timeout=0.2) as s:  # the node samples again, every 5 s
        end, heard = time.monotonic() + 8, b""
        while time.monotonic() < end and b"sample seq=" not in heard:
            heard += s.read(4096)
    assert b"sample seq=" in heard, heard


def test_virtual_board_stops_on_ctrl_c_and_leaves_no_registration(data_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "host"), "REALLABOR_DATA": str(data_dir), "LANG": "en"}
    p = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "virtual-board"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    assert "virtual board 1: port" in p.stdout.readline()
    registry = data_dir / "run" / "virtual-boards"
    assert [f.name for f in registry.iterdir()] == [f"{p.pid}.json"]
    os.kill(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0 and "Traceback" not in err, err
    assert list(registry.iterdir()) == []
