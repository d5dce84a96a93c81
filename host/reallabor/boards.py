"""Boards are data: one JSON file per board in boards/, checked here against what the chip can do.

The same file goes onto the device as /board.json, where the ESP32 hardware layer takes its pins
from it. Chip facts (which GPIOs exist, which drive the flash, which are input-only or ADC1) come
from Espressif's datasheets; see docs/boards.md.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from reallabor import userfile
from reallabor.chips import CHIPS, Chip, pins
from reallabor.env import BOARDS
from reallabor.errors import EXIT_BAD_INPUT, Problem, ReallaborError
from reallabor.i18n import Term

FORMAT = "reallabor-board"
VERSION = 1


# Module (or chip package) -> (chip, GPIOs wired to its flash and PSRAM, unusable for anything else)
MODULES = {
    "esp32-wroom-32": ("esp32", pins(range(6, 12))),
    "esp32-with-psram": ("esp32", pins(range(6, 12), 16, 17)),  # WROVER-style: PSRAM on 16/17
    "esp32-pico-d4": ("esp32", pins(6, 7, 8, 11, 16, 17)),  # PICO-D4 datasheet 2.2: 9 and 10 stay free
    "esp32-s3fn8": ("esp32s3", pins(range(27, 33))),  # in-package quad flash, no PSRAM
    "esp32-s3-wroom-1-octal-psram": ("esp32s3", pins(range(26, 33), 35, 36, 37)),
    "esp32-c3-mini-1": ("esp32c3", pins(range(12, 18))),
}

FLASH_SIZES = {"2MB": 2 << 20, "4MB": 4 << 20, "8MB": 8 << 20, "16MB": 16 << 20, "32MB": 32 << 20}
LORA_CHIPS = {"sx1276": ("dio0",), "sx1262": ("busy", "dio1")}  # chip -> pins it cannot work without

# Pin fields per section; "in" pins may be input-only GPIOs, "out" pins must drive.
_BUS_PINS = {
    "i2c": {"sda": "out", "scl": "out"},
    "uart": {"tx": "out", "rx": "in"},
    "spi": {"sck": "out", "mosi": "out", "miso": "in"},
}
_LORA_PINS = {"nss": "out", "reset": "out", "busy": "in", "dio0": "in", "dio1": "in", "dio2": "in"}
_TOP_FIELDS = ("format", "version", "name", "title", "chip", "module", "build", "variant", "flash_offset",
               "flash_size", "i2c", "uart", "spi", "led", "lora", "battery", "vext", "sources", "notes")


@dataclass(frozen=True)
class Board:
    name: str
    title: str
    chip: str
    module: str
    build: str  # MicroPython board name, e.g. ESP32_GENERIC
    variant: str | None  # MicroPython build variant, e.g. SPIRAM_OCT
    flash_offset: int
    flash_size: int  # bytes
    i2c: dict  # bus name -> {"id", "sda", "scl", "freq"}
    uart: dict  # bus name -> {"id", "tx", "rx"}
    spi: dict  # bus name -> {"id", "sck", "mosi", "miso"}
    led: dict | None  # {"pin", "kind": "gpio"|"ws2812", "active_low"}
    lora: dict | None  # {"chip", "spi", "nss", "reset", ...}
    battery: dict | None  # {"adc", "multiplier", "enable"} or {"pmu", "bus", "addr"}
    vext: dict | None  # switched sensor supply {"pin", "active_low"}
    data: dict  # the file as loaded; written to the device as /board.json

    def device_json(self) -> bytes:
        """/board.json for the device: the file's data, compact and in a stable order, with the chip
        facts the simulator needs to behave as this chip (the ESP32's hardware does it by itself)."""
        cap = CHIPS[self.chip].i2c_stretch_max_us
        data = {**self.data, "chip_facts": {"i2c_stretch_cap_us": cap or 0}}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def names() -> list[str]:
    return sorted(p.stem for p in BOARDS.glob("*.json"))


def load(name: str) -> Board:
    """A board by name (boards/<name>.json) or by the path of a JSON file; raises ReallaborError
    naming the known boards, or listing every problem of an invalid file."""
    path = Path(name) if name.endswith(".json") else BOARDS / f"{name}.json"
    if not path.is_file():
        raise ReallaborError("board.unknown", EXIT_BAD_INPUT, name=name, known=", ".join(names()))
    data = userfile.read_json(path)
    problems = [data] if isinstance(data, Problem) else validate(data)
    if not problems and path.parent == BOARDS and data["name"] != path.stem:
        problems.append(Problem("board.problem.name", "name", params={"stem": path.stem}))
    if problems:
        raise ReallaborError("board.invalid", EXIT_BAD_INPUT, details=problems, path=path)
    return Board(
        name=data["name"], title=data["title"], chip=data["chip"], module=data["module"], build=data["build"],
        variant=data.get("variant"), flash_offset=int(data["flash_offset"], 16),
        flash_size=FLASH_SIZES[data["flash_size"]], i2c=data["i2c"], uart=data["uart"], spi=data["spi"],
        led=data.get("led"), lora=data.get("lora"), battery=data.get("battery"), vext=data.get("vext"), data=data,
    )


def validate(data) -> list[Problem]:
    """Every problem in a board file, each naming its field; [] if it is valid. The chip facts
    that device_json() adds for the device are no part of the file."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "chip_facts"}
    return _Checker(data).run()


class _Checker:
    def __init__(self, data):
        self.data = data
        self.problems: list[Problem] = []
        self.chip: Chip | None = None
        self.reserved: frozenset = frozenset()
        self.used: dict[int, str] = {}  # GPIO -> first field that claimed it

    def problem(self, key: str, field: str, **params) -> None:
        self.problems.append(Problem("board.problem." + key, field, params=params))

    def run(self) -> list[str]:
        d = self.data
        if not isinstance(d, dict):
            self.problem("type", "board", expected=Term("expect.object"))
            return self.problems
        for key in d:
            if key not in _TOP_FIELDS:
                self.problem("unknown", key, known=", ".join(_TOP_FIELDS))
        if d.get("format") != FORMAT:
            self.problem("value", "format", expected=f'"{FORMAT}"')
        if d.get("version") != VERSION:
            self.problem("value", "version", expected=VERSION)
        for key in ("name", "title", "build"):
            self.text(d, key, key)
        if isinstance(d.get("name"), str) and not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", d["name"]):
            self.problem("value", "name", expected="a-z, 0-9, '-', '.'")
        if d.get("variant") is not None:
            self.text(d, "variant", "variant")
        self.chip_and_module(d)
        if d.get("flash_size") not in FLASH_SIZES:
            self.problem("choice", "flash_size", choices=", ".join(FLASH_SIZES))
        if self.chip is None:
            return self.problems  # pins can only be judged against a known chip
        for kind, pins in _BUS_PINS.items():
            self.buses(d, kind, pins)
        self.led(d.get("led"))
        self.lora(d.get("lora"))
        self.battery(d.get("battery"))
        self.switch(d.get("vext"), "vext")
        return self.problems

    def text(self, d, key, field) -> bool:
        if not isinstance(d.get(key), str) or not d[key]:
            self.problem("type", field, expected=Term("expect.text"))
            return False
        return True

    def number(self, d, key, field, lo, hi, integer=True) -> bool:
        v = d.get(key)
        ok = isinstance(v, int) if integer else isinstance(v, (int, float))
        if not ok or isinstance(v, bool) or not lo <= v <= hi:
            self.problem("range", field, lo=lo, hi=hi)
            return False
        return True

    def section(self, value, field) -> bool:
        if not isinstance(value, dict):
            self.problem("type", field, expected=Term("expect.object"))
            return False
        return True

    def chip_and_module(self, d) -> None:
        chip, module = d.get("chip"), d.get("module")
        if chip not in CHIPS or not CHIPS[chip].boards_possible:
            self.problem("choice", "chip", choices=", ".join(c for c in CHIPS if CHIPS[c].boards_possible))
            return
        if module not in MODULES or MODULES[module][0] != chip:
            self.problem("choice", "module", choices=", ".join(m for m, (c, _) in MODULES.items() if c == chip))
            return
        self.chip = CHIPS[chip]
        self.reserved = MODULES[module][1]
        offset = d.get("flash_offset")
        if not isinstance(offset, str) or not re.fullmatch(r"0x[0-9a-fA-F]+", offset) \
                or int(offset, 16) != self.chip.flash_offset:
            self.problem("value", "flash_offset", expected=f'"{hex(self.chip.flash_offset)}" ({chip})')

    def pin(self, value, field, direction="out", adc=False) -> None:
        chip_name = self.data["chip"]
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem("type", field, expected=Term("expect.gpio"))
        elif value not in self.chip.gpios:
            self.problem("pin_range", field, pin=value, chip=chip_name)
        elif value in self.reserved:
            self.problem("pin_flash", field, pin=value, module=self.data["module"])
        elif direction == "out" and value in self.chip.input_only:
            self.problem("pin_input_only", field, pin=value, chip=chip_name)
        elif adc and value not in self.chip.adc1:
            self.problem("pin_adc", field, pin=value, pins=_ranges(self.chip.adc1))
        elif value in self.used:
            self.problem("pin_twice", field, pin=value, other=self.used[value])
        else:
            self.used[value] = field

    def buses(self, d, kind, pins) -> None:
        buses = d.get(kind)
        if not self.section(buses, kind):
            return
        for name, bus in buses.items():
            field = f"{kind}.{name}"
            if not re.fullmatch(kind + r"\d", name):
                self.problem("value", field, expected=f"{kind}0, {kind}1, ...")
            if not self.section(bus, field):
                continue
            # an I2C bus may also set the controller's wait and a software bus, as config.json's i2c
            settings = ("timeout_us", "soft") if kind == "i2c" else ()
            known = ("id", "freq", *settings, *pins)
            for key in bus:
                if key not in known:
                    self.problem("unknown", f"{field}.{key}", known=", ".join(known))
            self.number(bus, "id", f"{field}.id", 0, 3)
            if "freq" in bus:
                self.number(bus, "freq", f"{field}.freq", 1000, 80_000_000)
            if "timeout_us" in bus:
                self.number(bus, "timeout_us", f"{field}.timeout_us", 1, 10_000_000)
            if "soft" in bus and not isinstance(bus["soft"], bool):
                self.problem("type", f"{field}.soft", expected=Term("expect.bool"))
            for pin, direction in pins.items():
                self.pin(bus.get(pin), f"{field}.{pin}", direction)

    def led(self, led) -> None:
        if led is None or not self.section(led, "led"):
            return
        self.pin(led.get("pin"), "led.pin")
        if led.get("kind") not in ("gpio", "ws2812"):
            self.problem("choice", "led.kind", choices="gpio, ws2812")
        if not isinstance(led.get("active_low"), bool):
            self.problem("type", "led.active_low", expected=Term("expect.bool"))

    def switch(self, sw, field) -> None:
        if sw is None or not self.section(sw, field):
            return
        self.pin(sw.get("pin"), field + ".pin")
        if not isinstance(sw.get("active_low"), bool):
            self.problem("type", field + ".active_low", expected=Term("expect.bool"))

    def lora(self, lora) -> None:
        if lora is None or not self.section(lora, "lora"):
            return
        chip = lora.get("chip")
        if chip not in LORA_CHIPS:
            self.problem("choice", "lora.chip", choices=", ".join(LORA_CHIPS))
            return
        if lora.get("spi") not in (self.data.get("spi") or {}):
            self.problem("value", "lora.spi", expected=Term("expect.spi_bus"))
        known = ("chip", "spi", "tcxo_v", "dio2_rf_switch", *_LORA_PINS)
        for key in lora:
            if key not in known:
                self.problem("unknown", f"lora.{key}", known=", ".join(known))
        for name, direction in _LORA_PINS.items():
            if name in lora or name in ("nss", "reset") or name in LORA_CHIPS[chip]:
                self.pin(lora.get(name), f"lora.{name}", direction)
        if lora.get("tcxo_v") is not None:
            self.number(lora, "tcxo_v", "lora.tcxo_v", 1.6, 3.3, integer=False)
        if "dio2_rf_switch" in lora and not isinstance(lora["dio2_rf_switch"], bool):
            self.problem("type", "lora.dio2_rf_switch", expected=Term("expect.bool"))

    def battery(self, bat) -> None:
        if bat is None or not self.section(bat, "battery"):
            return
        if "pmu" in bat:
            if bat["pmu"] != "axp192":
                self.problem("choice", "battery.pmu", choices="axp192")
            if bat.get("bus") not in (self.data.get("i2c") or {}):
                self.problem("value", "battery.bus", expected=Term("expect.i2c_bus"))
            self.number(bat, "addr", "battery.addr", 0x08, 0x77)
            return
        self.pin(bat.get("adc"), "battery.adc", "in", adc=True)
        self.number(bat, "multiplier", "battery.multiplier", 1, 20, integer=False)
        self.switch(bat.get("enable"), "battery.enable")


def _ranges(pins) -> str:
    """{1,2,3,7} -> '1-3, 7'"""
    out, run = [], []
    for p in sorted(pins):
        if run and p != run[-1] + 1:
            out.append(run)
            run = []
        run.append(p)
    out.append(run)
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in out if r)
