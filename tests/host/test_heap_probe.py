"""The heap probe (host/reallabor/sim/heapprobe.py) splits the replay's heap between the firmware
and the simulator. What a board holds too must fall on the firmware's side."""

import os
import subprocess
from pathlib import Path

from reallabor import boards
from reallabor.env import TRACES
from reallabor.firmware import devicecode, layout
from reallabor.firmware.build import compiled_firmware
from reallabor.sim import replay
from reallabor.traces import fileformat

PROBE = Path(replay.__file__).with_name("heapprobe.py")


def test_the_names_the_boot_interns_while_checking_the_config_are_on_the_firmwares_side(micropython, tmp_path):
    # At boot the config validator is imported, used and let go, but the names it interns stay in
    # the qstr pool for good. The courtyard node's ESP32 side crosses a pool step (a 640-entry pool,
    # 7 KB on 64-bit) only with them, so they must be counted there, not left to the simulator.
    trace = TRACES / "courtyard-24h-bme280.jsonl"
    header = fileformat.load(trace).header
    config = fileformat.default_config(header)
    board = boards.load(header["board"])
    modules = replay.node_modules(devicecode.config().validate(dict(config)), False, False, board)
    path = replay.install_firmware(tmp_path, compiled_firmware(), PROBE)
    (tmp_path / layout.BOARD_FILE).write_bytes(board.device_json())
    replay.write_config(tmp_path, devicecode.config_bytes(config))
    argv = ["main", "esp32", str(trace), *modules]
    script = f"import sys; sys.argv[:] = {argv!r}; exec(open('main.py').read()); import micropython; micropython.qstr_info(1)"
    done = subprocess.run([micropython, "-X", "heapsize=4M", "-c", script], cwd=tmp_path,
                          env={**os.environ, "MICROPYPATH": path}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = {line[2:-1] for line in done.stdout.splitlines() if line.startswith("Q(")}
    assert {"_reject_unknown", "_check_json", "validate"} <= names  # the validator's own functions
