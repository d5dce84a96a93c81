"""The node's console log as the host reads it (docs/console-log.md): every line the firmware
prints is `<uptime ms> <level> <text>`, level I, W or E. Replays, the boot loop, verify and capture
all parse it here, so the format has one reader."""

import binascii
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


# The simulated radio's lines (docs/console-log.md, docs/radio.md)
_RADIO_TX = re.compile(r"^radio tx freq=(\d+) sf=(\d+) bw=([\d.]+) cr=(\d) dbm=(-?\d+) toa=([\d.]+) phy=([0-9a-f]+)$")
_RADIO_RX = re.compile(r"^radio rx freq=(\d+) sf=(\d+) bw=([\d.]+) rssi=(-?\d+) snr=(-?\d+) phy=([0-9a-f]+)$")
_RADIO_LISTEN = re.compile(r"^radio listen freq=(\d+) sf=(\d+) bw=([\d.]+) n=(\d+)$")
# The LoRaWAN MAC's lines (docs/lorawan.md)
_LORA_WAIT = re.compile(r"^lora wait (\w+) (\d+) ms")
_LORA_JOINED = re.compile(r"^lora joined dev_addr=([0-9a-f]{8})")
_LORA_SENT = re.compile(r"^lora sent seq=(\d+) fcnt=(\d+)$")
_LORA_QUEUED = re.compile(r"^lora queued from seq=(\d+)$")


def _bw(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class RadioFrame:
    """A frame a simulated chip sent (`radio tx`) or received (`radio rx`)."""

    freq_hz: int
    sf: int
    bw_khz: float
    phy: bytes
    toa_ms: float = 0.0  # tx only
    dbm: int = 0  # tx only
    cr: int = 5
    rssi: int = 0  # rx only
    snr: int = 0


def radio_tx(text: str) -> RadioFrame | None:
    """`radio tx freq=<Hz> sf= bw=<kHz> cr= dbm= toa=<ms> phy=<hex>`, at the virtual time TX ended."""
    m = _RADIO_TX.match(text)
    if not m:
        return None
    return RadioFrame(int(m[1]), int(m[2]), _bw(m[3]), bytes.fromhex(m[7]), float(m[6]), int(m[5]), int(m[4]))


def radio_rx(text: str) -> RadioFrame | None:
    """`radio rx freq= sf= bw= rssi= snr= phy=`, at the end of a frame the chip received."""
    m = _RADIO_RX.match(text)
    if not m:
        return None
    return RadioFrame(int(m[1]), int(m[2]), _bw(m[3]), bytes.fromhex(m[6]), rssi=int(m[4]), snr=int(m[5]))


def radio_listen(text: str) -> tuple[int, int, float, int] | None:
    """`radio listen freq= sf= bw= n=`: receive window n opens and waits for the host's downlinks ->
    (freq Hz, SF, bandwidth kHz, n)."""
    m = _RADIO_LISTEN.match(text)
    return (int(m[1]), int(m[2]), _bw(m[3]), int(m[4])) if m else None


def lora_wait(text: str) -> tuple[str, int] | None:
    """`lora wait <duty_cycle|fair_use|downlinks|join_backoff> <ms> ms...` -> (what, ms)."""
    m = _LORA_WAIT.match(text)
    return (m[1], int(m[2])) if m else None


def lora_joined(text: str) -> str | None:
    """`lora joined dev_addr=<hex> ...` -> the DevAddr."""
    m = _LORA_JOINED.match(text)
    return m[1] if m else None


def lora_sent(text: str) -> tuple[int, int] | None:
    """`lora sent seq=<n> fcnt=<n>`: a reading left the outbox -> (seq, FCnt)."""
    m = _LORA_SENT.match(text)
    return (int(m[1]), int(m[2])) if m else None


def lora_queued(text: str) -> int | None:
    """`lora queued from seq=<n>`: at a stop or deep sleep, readings from seq n on still wait."""
    m = _LORA_QUEUED.match(text)
    return int(m[1]) if m else None
# Capture frames (docs/console-log.md, "Capture frames"; written by firmware/hal/record.py): a line
# that starts with RS (0x1e) and "rl1", its fields, and the CRC-32 of everything between RS and the
# space before the check. Log lines never start with RS, and neither does REPL output.
FRAME_MARK = "\x1e"
_FRAME = re.compile(r"^rl1 ([HTbiuE]) (\d+) (\d+)((?: \S+)*) ([0-9a-f]{8})$")


@dataclass(frozen=True)
class Frame:
    kind: str  # H (capture starts), T (wall time), b (a bus), i (I2C), u (UART), E (capture stops)
    seq: int  # data frames: their number (mod 65536, from 0 at each boot); H, T, E: the next one's
    tick: int  # the node's ms tick (wraps at 2**30)
    fields: tuple  # the rest, as text


class DamagedFrame(Exception):
    """A line that carries the frame mark but not a whole, intact frame (cut short, garbled)."""


def frame(line: str) -> Frame | None:
    """A capture frame, or None for any other line; raises DamagedFrame for a frame whose check
    fails. A frame may follow other text on the same line (a prompt without its newline)."""
    i = line.find(FRAME_MARK)
    if i < 0:
        return None
    body = line[i + 1:].rstrip("\r\n")
    m = _FRAME.match(body)
    if not m or int(m[5], 16) != binascii.crc32(body[:-9].encode("ascii", "replace")):
        raise DamagedFrame(body[:80])
    return Frame(m[1], int(m[2]), int(m[3]), tuple(m[4].split()))
