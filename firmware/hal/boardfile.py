# /board.json, the board file that deploy and provision copy from the host's boards/
# (docs/boards.md): pins, buses and their settings. Both boards read it, so the simulator runs a
# node with exactly the buses its board has.
import json

PATH = "board.json"  # relative: the board's filesystem root, or the simulator's flash directory

_board = None


_KEPT = ("name", "chip", "i2c", "uart", "spi", "led", "lora", "battery", "vext", "chip_facts")


def load():
    # The board file as a dict, without its prose (title, sources, notes: RAM the node needs more);
    # {} when it is missing or broken (then no bus is known, but the REPL stays reachable so a
    # technician can deploy again).
    global _board
    if _board is None:
        try:
            with open(PATH) as f:
                raw = json.loads(f.read())  # not json.load: the simulator's fault flash hands out plain objects
            _board = {k: raw[k] for k in _KEPT if k in raw}
        except (OSError, ValueError, TypeError):
            _board = {}
    return _board


def i2c_settings(name, overrides=None):
    # (pins dict, freq Hz, timeout us, soft) of an I2C bus, the config's settings over the board
    # file's; None if the board file has no such bus. MicroPython's defaults: 400 kHz, 50 ms.
    pins = load().get("i2c", {}).get(name)
    if pins is None:
        return None
    s = dict(pins)
    s.update(overrides or {})
    return pins, s.get("freq", 400000), s.get("timeout_us", 50000), s.get("soft", False)
