"""The node's console log as the host reads it (docs/console-log.md): every line the firmware
prints is `<uptime ms> <level> <text>`, level I, W or E. Replays, the boot loop, verify and capture
all parse it here, so the format has one reader."""

import re
from dataclasses import dataclass

_LINE = re.compile(r"^(\d+) ([IWE]) (.*)$")
_PUB = re.compile(r"^pub (\S+) (\d+)$")
_SAMPLE = re.compile(r"^sample seq=(\d+)$")
_SIM_END = re.compile(r"^sim end((?: \w+=\d+)+)$")
_SIM_RESTART = re.compile(r"^sim restart cause=(\w+) at=(\d+) rtc=([0-9a-f]*)$")
_SIM_FAULT = re.compile(r"^sim fault (\d+) (\w+)$")


@dataclass(frozen=True)
class Line:
    uptime_ms: int
    level: str  # "I", "W" or "E"
    text: str


def parse(line: str) -> Line | None:
    """A log line, or None for anything else the console shows (REPL output, tracebacks)."""
    m = _LINE.match(line)
    return Line(int(m[1]), m[2], m[3]) if m else None


def published(text: str) -> str | None:
    """`pub <topic> <bytes>`, printed once the broker acknowledged a message -> the topic."""
    m = _PUB.match(text)
    return m[1] if m else None


def sampled(text: str) -> int | None:
    """`sample seq=<n>`, printed once a reading is in the outbox -> n."""
    m = _SAMPLE.match(text)
    return int(m[1]) if m else None


def sim_end(text: str) -> dict[str, int] | None:
    """`sim end heap_peak=<bytes> ...`: the simulator's last line of a boot (the live heap's peak
    between cycles, the simulator's own share included)."""
    m = _SIM_END.match(text)
    return {k: int(v) for k, v in (kv.split("=") for kv in m[1].split())} if m else None


def sim_restart(text: str) -> tuple[str, int, str] | None:
    """`sim restart cause=<deepsleep|watchdog> at=<ms> rtc=<hex>` -> (cause, virtual ms, RTC memory hex)."""
    m = _SIM_RESTART.match(text)
    return (m[1], int(m[2]), m[3]) if m else None


def sim_fault(text: str) -> tuple[int, str] | None:
    """`sim fault <index> <kind>`: virtual time reached a fault event of the trace -> (index, kind)."""
    m = _SIM_FAULT.match(text)
    return (int(m[1]), m[2]) if m else None
