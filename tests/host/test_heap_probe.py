"""The heap probe (host/reallabor/sim/heapprobe.py) splits the replay's heap between the firmware
and the simulator. What a board holds too must fall on the firmware's side."""

import os
import subprocess
from pathlib import Path

from reallabor import boards
from reallabor.env import TRACES
from reallabor.firmware import devicecode
from reallabor.firmware.build import compiled_firmware
from reallabor.sim import replay
from reallabor.traces import fileformat

TRACE = TRACES / "courtyard-24h-bme280.jsonl"


def run_probe(micropython, flash: Path, config_json: bytes | None = None, after: str = ""):
    """The probe's ESP32 side for the courtyard node in flash, then `after` in the same process."""
    header = fileformat.load(TRACE).header
    config = fileformat.default_config(header)
    board = boards.load(header["board"])
    modules = replay.node_modules(devicecode.config().validate(dict(config)), False, False, board)
    path = replay.probe_flash(flash, compiled_firmware(), board.device_json(),
                              config_json or devicecode.config_bytes(config))
    argv = ["main", "esp32", str(TRACE), *modules]
    script = f"import sys; sys.argv[:] = {argv!r}; exec(open('main.py').read()); {after}"
    return subprocess.run([micropython, "-X", "heapsize=4M", "-c", script], cwd=flash,
                          env={**os.environ, "MICROPYPATH": path}, capture_output=True, text=True, timeout=60)


def test_the_names_the_boot_interns_while_checking_the_config_are_on_the_firmwares_side(micropython, tmp_path):
    # At boot the config validator is imported, used and let go, but the names it interns stay in
    # the qstr pool for good. The workshop kit's ESP32 side crosses a pool step (a 640-entry pool,
    # 7 KB on 64-bit) only with them, so they must be counted there, not left to the simulator.
    done = run_probe(micropython, tmp_path, after="import micropython; micropython.qstr_info(1)")
    assert done.returncode == 0, done.stderr
    names = {line[2:-1] for line in done.stdout.splitlines() if line.startswith("Q(")}
    assert {"_reject_unknown", "_check_json", "validate"} <= names  # the validator's own functions


def test_a_config_the_firmware_refuses_stops_the_probe(micropython, tmp_path):
    done = run_probe(micropython, tmp_path, b"{broken")
    assert done.returncode != 0 and "did not pass the firmware's check" in done.stderr
