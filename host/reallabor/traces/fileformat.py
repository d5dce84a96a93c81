"""The trace format (docs/trace-format.md): read, validate and summarise JSON Lines traces."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from reallabor import userfile
from reallabor.errors import EXIT_BAD_INPUT, Problem, ReallaborError
from reallabor.firmware import devicecode
from reallabor.i18n import Term

FORMAT = "reallabor-trace"
VERSION = 1
SOURCES = ("captured", "synthetic")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")
_I2C_BUS = re.compile(r"^i2c\d+$")
_UART_BUS = re.compile(r"^uart\d+$")
# Limits that keep a trace within what the simulator can hold on a board's heap and what the host
# reads in bounded memory (docs/trace-format.md, "Limits")
MAX_LINE = 16 * 1024  # bytes in one line, its newline included
MAX_HEX_BYTES = 512  # bytes in one w, r or rx field
MAX_KEYS = 1024  # different (bus, address, bytes written) the simulator keeps an answer or a write for
MAX_MS = 10 * 365 * 86_400_000  # t and every other time or count: ten years of milliseconds
# a trace lies between these wall times (a cut or merge stays inside them)
FIRST, LAST = "2000-01-01T00:00:00Z", "2110-01-01T00:00:00Z"
_BLANK = b" \t\r\n"  # JSON's white space: a line of only these is blank, here as in the simulator
# a \uD800-\uDFFF escape inside a JSON string (an odd number of backslashes before the u)
_SURROGATE = re.compile(r"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass
class Summary:
    header: dict
    records: int = 0
    end_ms: int = 0
    faults: list = field(default_factory=list)  # fault records, in order
    devices: dict = field(default_factory=dict)  # "i2c0 0x76" -> number of records
    buses: set = field(default_factory=set)  # every bus a record names
    gaps: list = field(default_factory=list)  # gap records of a captured trace, in order
    values: int = 0  # value-level records (a capture from a broker)

    @property
    def epoch_ms(self) -> int:
        return parse_start(self.header["start"])


def parse_start(text: str) -> int:
    """ISO 8601 start time with a zone ('2026-05-14T00:00:00Z', '...00.250Z') -> Unix ms, exact."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("no time zone")
    return (when - _EPOCH) // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def open_lines(path: Path):
    """The trace file, opened for lines() (binary: lines end at LF only, as the simulator reads them)."""
    try:
        return path.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        raise ReallaborError("trace.not_found", EXIT_BAD_INPUT, path=path)
    except PermissionError:
        raise ReallaborError("file.no_permission", EXIT_BAD_INPUT, path=path)


def lines(f):
    """(line number, parsed JSON value or a Problem) for each line that is not blank. Reads at most
    MAX_LINE bytes at a time, so a line of any length costs bounded memory."""
    number = 0
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            while line and not line.endswith(b"\n"):  # skip the rest of it, unread
                line = f.readline(1 << 16)
            yield number, Problem("trace.line_too_long", line=number, params=dict(limit=MAX_LINE))
            continue
        if line.strip(_BLANK):
            yield number, _parse(line, number)


def _parse(line: bytes, number: int):
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return Problem("trace.not_text", line=number)
    if "\r" in text.rstrip("\r\n"):
        return Problem("trace.cr_line_end", line=number)
    if "\\u" in text and _SURROGATE.search(text):
        return Problem("trace.surrogate", line=number, params=dict(escape=_SURROGATE.search(text)[0][-6:]))
    try:
        value = json.loads(text, parse_constant=_no_constant)
        if userfile.too_deep(value):  # what the host and the simulator then walk stays shallow
            raise RecursionError
        return value
    except json.JSONDecodeError as e:
        return Problem("trace.not_json", line=number, params=dict(error=e.msg, col=e.colno))
    except ValueError:  # NaN or Infinity, or an integer of more than 4300 digits
        return Problem("trace.bad_number", line=number)
    except RecursionError:
        return Problem("trace.too_deep", line=number)


def _no_constant(name: str):
    raise ValueError(name)


def records(path: Path):
    """The header and the records of a valid trace, as dicts."""
    with open_lines(path) as f:
        for _number, obj in lines(f):
            yield obj


def check(path: Path) -> tuple[Summary | None, list[Problem]]:
    """Validate a whole trace; returns its summary (None if the header is unusable) and every problem."""
    problems: list[Problem] = []
    summary = None
    last_t = 0
    keys: set = set()  # what the simulator keeps an answer or write for, up to MAX_KEYS + 1
    with open_lines(path) as f:
        for number, obj in lines(f):
            if isinstance(obj, Problem):
                problems.append(obj)
                continue
            if not isinstance(obj, dict):
                problems.append(Problem("trace.not_object", line=number))
                continue
            if summary is None:
                header_problems = _check_header(obj)
                problems += [Problem(p[0], line=number, params=p[1]) for p in header_problems]
                summary = Summary(obj if not header_problems else {})
                if header_problems and obj.get("format") != FORMAT:
                    return None, problems  # not a trace at all: the rest would be noise
                continue
            is_fault = "fault" in obj
            record_problems = (_check_fault(obj, last_t) if is_fault else
                               _check_gap(obj, last_t) if "gap" in obj else
                               _check_value(obj, last_t, summary.header) if "sensor" in obj else
                               _check_record(obj, last_t))
            if not record_problems and len(keys) <= MAX_KEYS and ("w" in obj or "r" in obj):
                keys.add((obj["bus"], obj.get("addr"), obj.get("w", "")))
                if len(keys) > MAX_KEYS:
                    record_problems.append(("trace.too_many_keys", dict(limit=MAX_KEYS)))
            problems += [Problem(p[0], line=number, params=p[1]) for p in record_problems]
            if _is_time(obj.get("t")):
                last_t = max(last_t, obj["t"])
            if is_fault:
                if not record_problems:
                    summary.faults.append(obj)
                    summary.end_ms = max(summary.end_ms, obj["t"])
            elif not record_problems and "gap" in obj:
                summary.gaps.append(obj)
            elif not record_problems and "sensor" in obj:
                summary.records += 1
                summary.values += 1
                summary.end_ms = max(summary.end_ms, obj["t"])
                key = f"values {obj['sensor']}"
                summary.devices[key] = summary.devices.get(key, 0) + 1
            elif not record_problems:
                summary.records += 1
                summary.end_ms = max(summary.end_ms, obj["t"])
                key = (f"radio {obj['radio']}" if "radio" in obj else
                       f"{obj['bus']} 0x{obj['addr']:02x}" if "addr" in obj else obj["bus"])
                summary.devices[key] = summary.devices.get(key, 0) + 1
                if "bus" in obj:
                    summary.buses.add(obj["bus"])
    if summary is None:
        problems.append(Problem("trace.empty", line=1))
    elif summary.header:
        summary.end_ms = max(summary.end_ms, summary.header.get("end_ms", 0))
        if summary.epoch_ms + summary.end_ms > parse_start(LAST):
            problems.append(Problem("trace.ends_late", line=1, params=dict(last=LAST)))
    return (summary if summary and summary.header else None), problems


def load(path: Path) -> Summary:
    """The summary of a valid trace, or an error listing every problem with its line."""
    summary, problems = check(path)
    if problems:
        raise ReallaborError(
            "trace.invalid", EXIT_BAD_INPUT, details=problems, path=path, count=len(problems)
        )
    return summary


def _check_header(h: dict) -> list[tuple[str, dict]]:
    out = []
    if h.get("format") != FORMAT:
        out.append(("trace.header_format", dict(expected=FORMAT)))
        return out
    if h.get("version") != VERSION:
        out.append(("trace.header_version", dict(found=h.get("version"), expected=VERSION)))
    if h.get("source") not in SOURCES:
        out.append(("trace.header_field", dict(name="source", expected=" | ".join(SOURCES))))
    for name in ("board", "device", "description"):
        if (name == "board" or name in h) and not isinstance(h.get(name), str):
            out.append(("trace.header_field", dict(name=name, expected=Term("expect.text"))))
    try:
        if not parse_start(FIRST) <= parse_start(h.get("start")) < parse_start(LAST):
            raise ValueError("out of range")
    except (TypeError, ValueError, AttributeError, OverflowError):
        out.append(("trace.header_field", dict(name="start", expected=f"ISO 8601, {FIRST} .. {LAST}")))
    if not isinstance(h.get("sensors", []), list):
        out.append(("trace.header_field", dict(name="sensors", expected=Term("expect.list"))))
    else:
        out += _check_header_sensors(h["sensors"] if "sensors" in h else [])
    for name in ("interval_ms", "end_ms"):
        if name in h and not (_is_time(h[name]) and h[name] > 0):
            out.append(("trace.header_field", dict(name=name, expected=f"1..{MAX_MS}")))
    if not out:  # a replay without --config runs the config the header makes: the device must take it
        problem = devicecode.check_config(dict(default_config(h), mqtt={"url": "mqtt://127.0.0.1:1883"}))
        if problem:
            out.append(("trace.header_config", dict(problem=problem)))
    return out


# What a sensor entry of the header may hold beyond the config's fields: field -> (check, expected)
_SENSOR_FIELDS = {
    "type": (lambda v: isinstance(v, str), Term("expect.text")),
    "name": (lambda v: isinstance(v, str), Term("expect.text")),
    "bus": (lambda v: isinstance(v, str) and bool(_I2C_BUS.match(v) or _UART_BUS.match(v)), "i2c0 | uart1 | ..."),
    "addr": (lambda v: _is_int(v) and 0 <= v <= 127, "0..127"),
    "i2c_max_hz": (lambda v: _is_time(v), f"0..{MAX_MS}"),
    "power_up_ms": (lambda v: _is_time(v), f"0..{MAX_MS}"),
    "quantities": (lambda q: isinstance(q, list) and all(
        isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and isinstance(x[1], str)
        and _is_int(x[2]) and 0 <= x[2] <= 6 for x in q), "[[name, unit, decimals], ...]"),
}


def _check_header_sensors(sensors: list) -> list[tuple[str, dict]]:
    out = []
    for i, s in enumerate(sensors):
        if not isinstance(s, dict) or "type" not in s:
            out.append(("trace.header_field", dict(name=f"sensors[{i}]", expected=Term("trace.sensor_entry"))))
            continue
        for name, (ok, expected) in _SENSOR_FIELDS.items():
            if name in s and not ok(s[name]):
                out.append(("trace.header_field", dict(name=f"sensors[{i}].{name}", expected=expected)))
    return out


def default_config(header: dict) -> dict:
    """The config a trace's node ran with, as far as its header says: interval, sensors (the config
    fields of each entry), bus settings, a LoRa node's keys. A replay without --config runs it."""
    config_fields = devicecode.config().SENSOR_CONFIG_FIELDS
    config = {
        "site": "replay",
        "interval_s": max(1, header.get("interval_ms", 60_000) // 1000),
        "sensors": [{k: v for k, v in s.items() if k in config_fields} for s in header.get("sensors", [])],
    }
    if header.get("i2c"):
        config["i2c"] = header["i2c"]
    if header.get("lora"):  # a LoRa node's sample trace names its keys (docs/trace-format.md)
        config["lora"] = header["lora"]
    return config


def _is_time(t) -> bool:
    """A time or count of a trace: a whole number 0..MAX_MS"""
    return isinstance(t, int) and not isinstance(t, bool) and 0 <= t <= MAX_MS


def _check_record(r: dict, last_t: int) -> list[tuple[str, dict]]:
    t = r.get("t")
    if not _is_time(t):
        return [("trace.field", dict(name="t", expected=f"0..{MAX_MS} ms"))]
    out = []
    if t < last_t:
        out.append(("trace.time_back", dict(t=t, last=last_t)))
    if "radio" in r:
        return out + _check_radio(r)
    bus = r.get("bus")
    if isinstance(bus, str) and _UART_BUS.match(bus):
        return out + _check_uart(r)
    if not isinstance(bus, str) or not _I2C_BUS.match(bus):
        return out + [("trace.unknown_record", {})]
    addr = r.get("addr")
    if not isinstance(addr, int) or isinstance(addr, bool) or not 0 <= addr <= 127:
        out.append(("trace.field", dict(name="addr", expected="0..127")))
    if "ack" in r:  # the device stops (false) or starts again (true) answering its address
        if not isinstance(r["ack"], bool):
            out.append(("trace.field", dict(name="ack", expected="true | false")))
        allowed = {"t", "bus", "addr", "ack"}
    else:
        out += _check_hex(r, ("w", "r"))
        allowed = {"t", "bus", "addr", "w", "r", "stretch_us"}
        if "stretch_us" in r and (not _is_time(r["stretch_us"]) or "r" not in r):
            out.append(("trace.field", dict(name="stretch_us", expected=f"0..{MAX_MS} µs, with r")))
    unknown = set(r) - allowed
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


def _check_uart(r: dict) -> list[tuple[str, dict]]:
    """UART: {"rx"} bytes the sensor sends at t, or {"w", "rx"} its reply to each write of w from t on."""
    out = []
    if "rx" not in r:
        out.append(("trace.field", dict(name="rx", expected=Term("trace.hex_field"))))
    out += _check_hex(r, ("rx", "w") if "w" in r else ("rx",))
    if r.get("w") == "":
        out.append(("trace.field", dict(name="w", expected=Term("trace.hex_field"))))
    unknown = set(r) - {"t", "bus", "rx", "w"}
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


# LoRa downlink records (docs/trace-format.md, firmware/hal/simradio.py): field -> allowed values
RADIO_BANDWIDTHS_KHZ = (7.8, 10.4, 15.6, 20.8, 31.25, 41.7, 62.5, 125, 250, 500)
_RADIO_RANGES = {"freq_hz": (137_000_000, 1_020_000_000), "sf": (7, 12), "cr": (5, 8), "preamble": (6, 65535),
                 "sync_word": (0, 255), "rssi": (-150, 0), "snr": (-30, 30), "dbm": (-9, 30)}
_RADIO_REQUIRED = ("freq_hz", "sf", "phy")


def _check_radio(r: dict) -> list[tuple[str, dict]]:
    """{"radio": "down", "freq_hz", "sf", "phy", ...}: a gateway's frame starting at t."""
    out = []
    if r["radio"] != "down":
        out.append(("trace.field", dict(name="radio", expected="down")))
    for name, (lo, hi) in _RADIO_RANGES.items():
        v = r.get(name)
        if (name in r or name in _RADIO_REQUIRED) and (not isinstance(v, int) or isinstance(v, bool)
                                                      or not lo <= v <= hi):
            out.append(("trace.field", dict(name=name, expected=f"{lo}..{hi}")))
    if "bw_khz" in r and r["bw_khz"] not in RADIO_BANDWIDTHS_KHZ:
        out.append(("trace.field", dict(name="bw_khz", expected=" | ".join(map(str, RADIO_BANDWIDTHS_KHZ)))))
    if "crc" in r and not isinstance(r["crc"], bool):
        out.append(("trace.field", dict(name="crc", expected="true | false")))
    phy = r.get("phy")
    if not isinstance(phy, str) or not _HEX.match(phy) or not 2 <= len(phy) <= 510:
        out.append(("trace.field", dict(name="phy", expected=Term("trace.hex"))))
    unknown = set(r) - {"t", "radio", "bw_khz", "crc", "phy"} - set(_RADIO_RANGES)
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


def _check_hex(r: dict, names) -> list[tuple[str, dict]]:
    out = []
    for name in names:
        value = r.get(name, "")
        if not isinstance(value, str) or len(value) > 2 * MAX_HEX_BYTES or not _HEX.match(value):
            out.append(("trace.field", dict(name=name, expected=Term("trace.hex_field"))))
    return out


# MQTT control packet types (mqtt-v3.1.1, 2.2.1) that a device and a broker exchange: a "cut" fault
# names one of them
MQTT_PACKETS = {"CONNECT": 1, "CONNACK": 2, "PUBLISH": 3, "PUBACK": 4, "PINGREQ": 12, "PINGRESP": 13, "DISCONNECT": 14}

# Fault events (docs/trace-format.md): kind -> the fields it needs besides "t" (None: a number > 0)
FAULTS = {
    "network_down": {}, "network_up": {}, "broker_stop": {}, "broker_start": {},
    "cut": {"packet": tuple(MQTT_PACKETS)},
    "power_loss": {"off_ms": None}, "flash_full": {}, "flash_free": {},
    "gateway_down": {}, "gateway_up": {}, "downlinks_lost": {"count": None},
}
# The ones the host carries out (broker, proxy, LoRa gateway): the simulated board waits for the
# host's word on them
HOST_FAULTS = ("network_down", "network_up", "broker_stop", "broker_start", "cut", "gateway_down", "gateway_up",
               "downlinks_lost")


def _check_fault(r: dict, last_t: int) -> list[tuple[str, dict]]:
    t = r.get("t")
    if not _is_time(t):
        return [("trace.field", dict(name="t", expected=f"0..{MAX_MS} ms"))]
    out = [("trace.time_back", dict(t=t, last=last_t))] if t < last_t else []
    kind = r.get("fault")
    if not isinstance(kind, str) or kind not in FAULTS:  # a list or object is no key
        return out + [("trace.field", dict(name="fault", expected=" | ".join(FAULTS)))]
    for name, choices in FAULTS[kind].items():
        value = r.get(name)
        if choices is None and not (_is_time(value) and value > 0):
            out.append(("trace.field", dict(name=name, expected="ms > 0" if name.endswith("_ms") else "> 0")))
        elif choices is not None and value not in choices:
            out.append(("trace.field", dict(name=name, expected=" | ".join(choices))))
    unknown = set(r) - {"t", "fault"} - set(FAULTS[kind])
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


def info(summary: Summary) -> list[tuple[str, dict]]:
    """What a trace holds, as (message key, parameters) per line: where it comes from (captured on a
    device or made by a program), its span, its sensors, the records per device and every gap."""
    h = summary.header
    hours = summary.end_ms / 3_600_000
    lines = [
        ("trace.info_source", dict(source=Term("trace.source." + h["source"]), board=h["board"], start=h["start"])),
        ("trace.info_span", dict(records=summary.records, hours=f"{hours:.2f}")),
    ]
    if h.get("device"):
        lines.append(("trace.info_device_id", dict(device=h["device"])))
    if summary.values:
        lines.append(("trace.info_values", dict(count=summary.values)))
    for s in h.get("sensors", []):
        where = f"{s.get('bus', 'i2c0')} 0x{s['addr']:02x}" if "addr" in s else s.get("bus", "")
        lines.append(("trace.info_sensor", dict(type=s.get("type"), where=where or "-")))
    for device, count in sorted(summary.devices.items()):
        lines.append(("trace.info_device", dict(device=device, count=count)))
    if h["source"] == "captured" or summary.gaps:
        total = sum(g["t"] - g["from"] for g in summary.gaps)
        lines.append(("trace.info_gaps", dict(count=len(summary.gaps), seconds=f"{total / 1000:.1f}")))
        for g in summary.gaps:
            lines.append(("trace.info_gap", dict(at=_clock_text(g["from"]), seconds=f"{(g['t'] - g['from']) / 1000:.1f}",
                                                 why=Term("trace.gap." + g["gap"]), frames=g.get("frames", 0))))
    if h.get("description"):
        lines.append(("trace.info_description", dict(text=h["description"])))
    return lines


def _clock_text(ms: int) -> str:
    """Trace time as h:mm:ss"""
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


# Gap records of captured traces (docs/trace-format.md): why a stretch of time is missing
GAPS = ("lost", "damaged", "disconnected", "reboot", "uncaptured")


def _check_gap(r: dict, last_t: int) -> list[tuple[str, dict]]:
    """{"t", "gap": why, "from": where it began, "frames": how many frames went missing}"""
    t = r.get("t")
    if not _is_time(t):
        return [("trace.field", dict(name="t", expected=f"0..{MAX_MS} ms"))]
    out = [("trace.time_back", dict(t=t, last=last_t))] if t < last_t else []
    if r.get("gap") not in GAPS:
        out.append(("trace.field", dict(name="gap", expected=" | ".join(GAPS))))
    if not _is_time(r.get("from")) or r["from"] > t:
        out.append(("trace.field", dict(name="from", expected="0..t")))
    if "frames" in r and not (_is_time(r["frames"]) and r["frames"] > 0):
        out.append(("trace.field", dict(name="frames", expected="> 0")))
    unknown = set(r) - {"t", "gap", "from", "frames"}
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


def healths() -> tuple:
    """The health words of the firmware (node.sensors), as state messages carry them."""
    sensors = devicecode.firmware_module("node.sensors")
    return tuple(v for k, v in vars(sensors).items() if k.isupper() and isinstance(v, str) and k != "SHARED")


def quantities(header: dict) -> dict[str, list]:
    """A value-level trace's sensors: name -> [[quantity, unit, decimals], ...] from the header."""
    out = {}
    for s in header.get("sensors", []):
        if isinstance(s, dict) and isinstance(s.get("quantities"), list):
            out[s.get("name", s.get("type"))] = s["quantities"]
    return out


def _check_value(r: dict, last_t: int, header: dict) -> list[tuple[str, dict]]:
    """{"t", "sensor": name, "health": word, "values": {quantity: integer in its resolution}}"""
    t = r.get("t")
    if not _is_time(t):
        return [("trace.field", dict(name="t", expected=f"0..{MAX_MS} ms"))]
    out = [("trace.time_back", dict(t=t, last=last_t))] if t < last_t else []
    known = quantities(header)
    if not isinstance(r.get("sensor"), str) or r["sensor"] not in known:
        return out + [("trace.field", dict(name="sensor", expected=" | ".join(known) or Term("trace.no_value_sensors")))]
    if r.get("health") not in healths():
        out.append(("trace.field", dict(name="health", expected=" | ".join(healths()))))
    values = r.get("values", {})
    names = [q[0] for q in known[r["sensor"]] if isinstance(q, list) and q]
    if not isinstance(values, dict) or any(k not in names or not _is_value(v) for k, v in values.items()):
        out.append(("trace.field", dict(name="values", expected=Term("trace.values_expected"))))
    unknown = set(r) - {"t", "sensor", "health", "values"}
    if unknown:
        out.append(("trace.unknown_fields", dict(names=", ".join(sorted(unknown)))))
    return out


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_value(v) -> bool:
    """A recorded reading in its resolution: what a firmware integer holds (hal/simvalues.py)"""
    return _is_int(v) and -(1 << 30) <= v < 1 << 30


def is_value_level(path: Path) -> bool:
    """True for a trace of value records (a capture from a broker): a replay runs it through the
    pipeline without sensor drivers (firmware/hal/simvalues.py)."""
    with open_lines(path) as f:
        found = lines(f)
        next(found, None)
        for _number, obj in found:
            return isinstance(obj, dict) and "sensor" in obj
    return False


def write(path: Path, header: dict, records) -> None:
    """Write a trace: the header, then one compact JSON object per record."""
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header, ensure_ascii=False) + "\n")
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
