"""The virtual board against real mpremote with its default behaviour: raw REPL, raw-paste, soft
reset, a program running at boot, a reboot after the interpreter ends, and the chosen MAC."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mpremote.transport_serial import SerialTransport


def mpremote(port, *args, timeout=30):
    return subprocess.run([sys.executable, "-m", "mpremote", "connect", port, *args], capture_output=True,
                          text=True, timeout=timeout)


def test_mpremote_exec_cp_ls_and_soft_reset(virtual_board, tmp_path):
    vb = virtual_board()
    src = tmp_path / "data.bin"
    src.write_bytes(bytes(range(256)) * 40)  # 10 KiB with every byte value, \x04 included
    done = mpremote(vb.port, "fs", "cp", str(src), ":data.bin", "+", "exec", "print(len(open('data.bin','rb').read()))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("10240")
    assert (vb.flash / "data.bin").read_bytes() == src.read_bytes()
    boots = vb.boots
    done = mpremote(vb.port, "soft-reset", "exec", "print('after reset')")
    assert done.returncode == 0 and "after reset" in done.stdout, done.stderr
    assert vb.boots > boots  # each connection's soft reset and the explicit one restart the interpreter


def test_raw_paste_is_used_and_state_survives_within_a_session(virtual_board):
    vb = virtual_board()
    t = SerialTransport(vb.port, baudrate=115200)
    try:
        t.enter_raw_repl()
        t.exec("x = 41")
        assert t.exec("print(x + 1)") == b"42\n"
        assert t.use_raw_paste  # still true: the board answered the raw-paste request with R\x01
        t.enter_raw_repl(soft_reset=True)
        with pytest.raises(Exception, match="NameError"):
            t.exec("print(x)")  # a soft reset gives a fresh interpreter, as on a board
    finally:
        t.close()


def test_mac_of_our_choice_through_the_hal(virtual_board):
    vb = virtual_board(mac="24:6f:28:a1:b2:c3")
    firmware = Path(__file__).resolve().parents[2] / "firmware"
    shutil.copytree(firmware / "hal", vb.flash / "hal")
    shutil.copytree(firmware / "lib", vb.flash / "lib")
    done = mpremote(vb.port, "exec", "import hal; b = hal.load(); b.setup(); print(b.mac().hex(), b.device_id())")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["246f28a1b2c3", "rl-a1b2c3"]


def test_flash_is_the_root_and_private(virtual_board, tmp_path):
    vb = virtual_board()
    src = tmp_path / "x.txt"
    src.write_text("x")
    done = mpremote(vb.port, "fs", "mkdir", ":/lib", "+", "fs", "cp", str(src), ":/lib/abs.txt", "+",
                    "exec", "import os; print(os.getcwd(), sorted(os.listdir('/')))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "/ ['lib']"  # a board's view: its own files only
    assert (vb.flash / "lib" / "abs.txt").read_text() == "x"
    assert (vb.flash / "lib" / "abs.txt").stat().st_mode & 0o077 == 0
    assert vb.flash.stat().st_mode & 0o077 == 0


def test_boots_into_main_and_mpremote_interrupts_it(virtual_board):
    vb = virtual_board()
    (vb.flash / "main.py").write_text("import time\nopen('ran', 'w').write('yes')\nwhile True:\n    time.sleep(0.01)\n")
    done = mpremote(vb.port, "exec", "print(open('ran').read() if 'ran' in __import__('os').listdir() else 'no')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no"  # no power-on yet: main.py appeared after the boot
    t = SerialTransport(vb.port, baudrate=115200)
    try:
        t.enter_raw_repl()
        t.exit_raw_repl()
        t.serial.write(b"\x04")  # friendly soft reset: boots into main.py, which loops forever
        time.sleep(0.5)
        t.enter_raw_repl(soft_reset=False)  # Ctrl-C stops the loop, as on a board
        assert t.exec("print(open('ran').read())") == b"yes\n"
    finally:
        t.close()


def test_interpreter_exit_reboots_the_board(virtual_board):
    vb = virtual_board()
    before = vb.boots
    done = mpremote(vb.port, "exec", "import sys; sys.exit(3)")
    deadline = time.monotonic() + 5
    while vb.boots < before + 2 and time.monotonic() < deadline:  # mpremote's soft reset, then the reboot
        time.sleep(0.05)
    assert vb.boots == before + 2, done
    again = mpremote(vb.port, "exec", "print('back')")
    assert again.returncode == 0 and again.stdout.strip() == "back", again.stderr


def test_second_connection_finds_the_port_busy(virtual_board):
    import serial

    vb = virtual_board()
    holder = serial.Serial(vb.port, exclusive=True)
    try:
        done = mpremote(vb.port, "exec", "print(1)")
        assert done.returncode != 0 and "in use" in done.stdout + done.stderr
    finally:
        holder.close()
    assert mpremote(vb.port, "exec", "print(1)").stdout.strip() == "1"


def test_virtual_board_command_prints_ports_and_stops_on_sigterm(tmp_path):
    import os
    import signal

    proc = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "virtual-board", "--count", "2", "--flash",
                             str(tmp_path), "--mac", "02:00:00:00:00:fe", "--lang", "en"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(
                                __import__("pathlib").Path(__file__).resolve().parents[2] / "host"),
                                "REALLABOR_DATA": str(tmp_path / "data")})
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert "02:00:00:00:00:fe" in lines[0] and "02:00:00:00:00:ff" in lines[1]
        assert "press RESET" in lines[2] and "Ctrl-C" in lines[3]
        port = lines[1].split("port ")[1].split(",")[0]
        done = mpremote(port, "exec", "import os; print(os.getenv('RL_MAC'))")
        assert done.stdout.strip() == "02:00:00:00:00:ff", done.stderr
        import serial

        with serial.Serial(port, 115200, timeout=0.2) as s:  # Enter in its terminal: the RESET button
            proc.stdin.write("\n")
            proc.stdin.flush()
            end, heard = time.monotonic() + 10, b""
            while b"POWERON_RESET" not in heard and time.monotonic() < end:
                heard += s.read(4096)
        assert b"rst:0x1 (POWERON_RESET)" in heard
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
