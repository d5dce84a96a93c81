"""The trace format (docs/trace-format.md): read, validate and summarise JSON Lines traces."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg

FORMAT = "reallabor-trace"
VERSION = 1
SOURCES = ("captured", "synthetic")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")
_I2C_BUS = re.compile(r"^i2c\d+$")
_UART_BUS = re.compile(r"^uart\d+$")


@dataclass
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return msg("trace.line", line=self.line, text=self.text)


@dataclass
class Summary:
    header: dict
    records: int = 0
    end_ms: int = 0
    faults: list = field(default_factory=list)  # fault records, in order
    devices: dict = field(default_factory=dict)  # "i2c0 0x76" -> number of records

    @property
    def epoch_ms(self) -> int:
        return parse_start(self.header["start"])


def parse_start(text: str) -> int:
    """ISO 8601 start time with a zone ('2026-05-14T00:00:00Z') -> Unix ms."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("no time zone")
    return int(when.astimezone(timezone.utc).timestamp() * 1000)


def open_lines(path: Path):
    try:
        return path.open(encoding="utf-8")
    except FileNotFoundError:
        raise ReallaborError("trace.not_found", EXIT_BAD_INPUT, path=path)
    except IsADirectoryError:
        raise ReallaborError("trace.not_found", EXIT_BAD_INPUT, path=path)
    except PermissionError:
        raise ReallaborError("file.no_permission", EXIT_BAD_INPUT, path=path)


def check(path: Path) -> tuple[Summary | None, list[Problem]]:
    """Validate a whole trace; returns its summary (None if the header is unusable) and every problem."""
    problems: list[Problem] = []
    summary = None
    last_t = 0
    with open_lines(path) as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    problems.append(Problem(number, msg("trace.not_json", error=e.msg, col=e.colno)))
                    continue
                if not isinstance(obj, dict):
                    problems.append(Problem(number, msg("trace.not_object")))
                    continue
                if summary is None:
                    header_problems = _check_header(obj)
                    problems += [Problem(number, p) for p in header_problems]
                    summary = Summary(obj if not header_problems else {})
                    if header_problems and obj.get("format") != FORMAT:
                        return None, problems  # not a trace at all: the rest would be noise
                    continue
                is_fault = "fault" in obj
                record_problems = _check_fault(obj, last_t) if is_fault else _check_record(obj, last_t)
                problems += [Problem(number, p) for p in record_problems]
                if _is_time(obj.get("t")):
                    last_t = max(last_t, obj["t"])
                if is_fault:
                    if not record_problems:
                        summary.faults.append(obj)
                        summary.end_ms = max(summary.end_ms, obj["t"])
                elif not record_problems:
                    summary.records += 1
                    summary.end_ms = max(summary.end_ms, obj["t"])
                    key = f"{obj['bus']} 0x{obj['addr']:02x}" if "addr" in obj else obj["bus"]
                    summary.devices[key] = summary.devices.get(key, 0) + 1
        except UnicodeDecodeError:
            problems.append(Problem(0, msg("trace.not_text")))
    if summary is None:
        problems.append(Problem(1, msg("trace.empty")))
    elif summary.header:
        summary.end_ms = max(summary.end_ms, summary.header.get("end_ms", 0))
    return (summary if summary and summary.header else None), problems


def load(path: Path) -> Summary:
    """The summary of a valid trace, or an error listing every problem with its line."""
    summary, problems = check(path)
    if problems:
        raise ReallaborError(
            "trace.invalid", EXIT_BAD_INPUT, details=[str(p) for p in problems], path=path, count=len(problems)
        )
    return summary


def _check_header(h: dict) -> list[str]:
    out = []
    if h.get("format") != FORMAT:
        out.append(msg("trace.header_format", expected=FORMAT))
        return out
    if h.get("version") != VERSION:
        out.append(msg("trace.header_version", found=h.get("version"), expected=VERSION))
    if h.get("source") not in SOURCES:
        out.append(msg("trace.header_field", name="source", expected=" | ".join(SOURCES)))
    if not isinstance(h.get("board"), str):
        out.append(msg("trace.header_field", name="board", expected="text"))
    try:
        parse_start(h.get("start"))
    except (TypeError, ValueError, AttributeError):
        out.append(msg("trace.header_field", name="start", expected="ISO 8601 (2026-05-14T00:00:00Z)"))
    if not isinstance(h.get("sensors", []), list):
        out.append(msg("trace.header_field", name="sensors", expected="list"))
    for name in ("interval_ms", "end_ms"):
        if name in h and not (isinstance(h[name], int) and h[name] > 0):
            out.append(msg("trace.header_field", name=name, expected="> 0"))
    return out


def _is_time(t) -> bool:
    return isinstance(t, int) and not isinstance(t, bool) and t >= 0


def _check_record(r: dict, last_t: int) -> list[str]:
    t = r.get("t")
    if not _is_time(t):
        return [msg("trace.field", name="t", expected="ms >= 0")]
    out = []
    if t < last_t:
        out.append(msg("trace.time_back", t=t, last=last_t))
    bus = r.get("bus")
    if isinstance(bus, str) and _UART_BUS.match(bus):
        return out + _check_uart(r)
    if not isinstance(bus, str) or not _I2C_BUS.match(bus):
        return out + [msg("trace.unknown_record")]
    addr = r.get("addr")
    if not isinstance(addr, int) or isinstance(addr, bool) or not 0 <= addr <= 127:
        out.append(msg("trace.field", name="addr", expected="0..127"))
    if "ack" in r:  # the device stops (false) or starts again (true) answering its address
        if not isinstance(r["ack"], bool):
            out.append(msg("trace.field", name="ack", expected="true | false"))
        allowed = {"t", "bus", "addr", "ack"}
    else:
        out += _check_hex(r, ("w", "r"))
        allowed = {"t", "bus", "addr", "w", "r"}
    unknown = set(r) - allowed
    if unknown:
        out.append(msg("trace.unknown_fields", names=", ".join(sorted(unknown))))
    return out


def _check_uart(r: dict) -> list[str]:
    """UART: {"rx"} bytes the sensor sends at t, or {"w", "rx"} its reply to each write of w from t on."""
    out = []
    if "rx" not in r:
        out.append(msg("trace.field", name="rx", expected=msg("trace.hex")))
    out += _check_hex(r, ("rx", "w") if "w" in r else ("rx",))
    if r.get("w") == "":
        out.append(msg("trace.field", name="w", expected=msg("trace.hex")))
    unknown = set(r) - {"t", "bus", "rx", "w"}
    if unknown:
        out.append(msg("trace.unknown_fields", names=", ".join(sorted(unknown))))
    return out


def _check_hex(r: dict, names) -> list[str]:
    out = []
    for name in names:
        value = r.get(name, "")
        if not isinstance(value, str) or not _HEX.match(value):
            out.append(msg("trace.field", name=name, expected=msg("trace.hex")))
    return out


# Fault events (docs/trace-format.md): kind -> the fields it needs besides "t"
FAULTS = {
    "network_down": {}, "network_up": {}, "broker_stop": {}, "broker_start": {},
    "cut": {"packet": ("CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PINGREQ", "PINGRESP", "DISCONNECT")},
    "power_loss": {"off_ms": None}, "flash_full": {}, "flash_free": {},
}


def _check_fault(r: dict, last_t: int) -> list[str]:
    t = r.get("t")
    if not _is_time(t):
        return [msg("trace.field", name="t", expected="ms >= 0")]
    out = [msg("trace.time_back", t=t, last=last_t)] if t < last_t else []
    kind = r.get("fault")
    if kind not in FAULTS:
        return out + [msg("trace.field", name="fault", expected=" | ".join(FAULTS))]
    for name, choices in FAULTS[kind].items():
        value = r.get(name)
        if choices is None and not (_is_time(value) and value > 0):
            out.append(msg("trace.field", name=name, expected="ms > 0"))
        elif choices is not None and value not in choices:
            out.append(msg("trace.field", name=name, expected=" | ".join(choices)))
    unknown = set(r) - {"t", "fault"} - set(FAULTS[kind])
    if unknown:
        out.append(msg("trace.unknown_fields", names=", ".join(sorted(unknown))))
    return out


def info(summary: Summary) -> list[str]:
    h = summary.header
    hours = summary.end_ms / 3_600_000
    lines = [
        msg("trace.info_source", source=h["source"], board=h["board"], start=h["start"]),
        msg("trace.info_span", records=summary.records, hours=f"{hours:.2f}"),
    ]
    for s in h.get("sensors", []):
        where = f"{s.get('bus', 'i2c0')} 0x{s['addr']:02x}" if "addr" in s else s.get("bus", "")
        lines.append(msg("trace.info_sensor", type=s.get("type"), where=where))
    for device, count in sorted(summary.devices.items()):
        lines.append(msg("trace.info_device", device=device, count=count))
    if h.get("description"):
        lines.append(h["description"])
    return lines


def write(path: Path, header: dict, records) -> None:
    """Write a trace: the header, then one compact JSON object per record."""
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header, ensure_ascii=False) + "\n")
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
