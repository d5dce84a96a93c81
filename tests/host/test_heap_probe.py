"""The heap probe (host/reallabor/sim/heapprobe.py) splits the replay's heap between the firmware
and the simulator. What a board holds too must fall on the firmware's side."""

from reallabor.env import TRACES
from reallabor.sim import replay

TRACE = TRACES / "courtyard-24h-bme280.jsonl"


def test_the_names_the_boot_interns_while_checking_the_config_are_on_the_firmwares_side(micropython, tmp_path):
    # At boot the config validator is imported, used and let go, but the names it interns stay in
    # the qstr pool for good. A node's ESP32 side can cross a pool step (a 640-entry pool, 7 KB on
    # 64-bit) only with them (the workshop kit's does), so they must be counted there, not left to
    # the simulator.
    done = replay.probe_board_side(micropython, tmp_path, TRACE, after="import micropython; micropython.qstr_info(1)")
    assert done.returncode == 0, done.stderr
    names = {line[2:-1] for line in done.stdout.splitlines() if line.startswith("Q(")}
    assert {"_reject_unknown", "_check_json", "validate"} <= names  # the validator's own functions


def test_a_config_the_firmware_refuses_stops_the_probe(micropython, tmp_path):
    done = replay.probe_board_side(micropython, tmp_path, TRACE, b"{broken")
    assert done.returncode != 0 and "did not pass the firmware's check" in done.stderr
