"""The ESP32's watchdog keeps running across a soft reset, so a technician's tool that stops a
running node has the node's watchdog behind it. The virtual board models that watchdog (it runs in
the bridge, in real time, across soft resets); deploy and provision must still complete."""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"
BOARD = "ttgo-lora32-v2.1"

# A node with a short watchdog, fed as hal/sim.py feeds it on a virtual board: long enough for a
# tool to catch the board and take care of it, shorter than the tool's work after that.
SHORT_WATCHDOG_NODE = """
import sys, time
dog = sys.modules["virtualboard"].watchdog
while True:
    dog.write(b"400\\n")
    time.sleep_ms(100)
"""


# what the hardware layer needs (hal/sim.py here) stays on the flash; the rest is work for deploy
KEPT = {"__init__.mpy", "clock.mpy", "ident.mpy", "log.mpy", "net", "wait.mpy"}


def start_node(vb, program: str) -> None:
    import shutil

    for lib in (vb.flash / "lib" / "node", vb.flash / "lib" / "node" / "net"):
        for f in lib.iterdir() if lib.is_dir() else ():
            if f.name not in KEPT:
                shutil.rmtree(f) if f.is_dir() else f.unlink()
    (vb.flash / "main.py").write_text(program)
    vb.press_reset()
    time.sleep(1.5)  # booted and feeding


def test_a_watchdog_that_is_not_fed_resets_the_board_even_across_a_soft_reset(virtual_board):
    import serial

    vb = virtual_board()
    (vb.flash / "main.py").write_text(  # feeds once (the first boot), then ends in the REPL
        "import os, sys\n"
        "if 'fed' not in os.listdir():\n"
        "    open('fed', 'w').close()\n"
        "    sys.modules['virtualboard'].watchdog.write(b'3000\\n')\n")
    vb.press_reset()
    time.sleep(1)
    with serial.Serial(vb.port, timeout=1) as port:
        port.write(b"\x04")  # Ctrl-D: a soft reset, which leaves the watchdog running
        time.sleep(1)
        assert vb.watchdog_resets == 0
        time.sleep(2)
        assert vb.watchdog_resets == 1
        assert b"task_wdt" in port.read(4096)


def test_deploy_and_provision_complete_on_a_node_whose_watchdog_runs(virtual_board, data_dir, cli, site_profile,
                                                                     broker):
    vb = virtual_board(mac="24:6f:28:0d:0d:01", env={"RL_TRACE": str(TRACE)})
    site_profile(data_dir, broker=broker.url)
    assert cli("deploy", "--port", vb.port, "--board", BOARD, "--lang", "en").returncode == 0
    for args in (("deploy", "--port", vb.port, "--board", BOARD),
                 ("provision", "--port", vb.port, "--board", BOARD, "--site", "hof")):
        start_node(vb, SHORT_WATCHDOG_NODE)
        done = cli(*args, "--lang", "en")
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert vb.watchdog_resets == 0, args
