"""reallabor capture over a serial port: record a node's bus transactions into a trace.

From the console (`console()`): the node is switched to capture with a small file on its flash
(capture.json, which leaves config.json and its inventory hash alone) and restarted, so the trace
begins at its boot as a replay does; the capture frames it prints are read until the time is up,
the node stops, or Ctrl-C, and through a USB reconnect (the time without the port is a gap in the
trace). At the end capture.json goes again and the node restarts as it was. From flash
(`from_flash()`): the chunk files an unattended capture left are fetched and removed.

Nothing secret crosses the cable for this: the board runs a snippet that hands over only the
config's sensors, interval and bus settings, and the frames carry bus bytes alone."""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import serial

from reallabor.boardio.repl import Device
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.firmware import console, devicecode
from reallabor.traces import captured, fileformat

CAPTURE_FILE = "capture.json"  # firmware/lib/node/config.py: CAPTURE_PATH
CHUNK_DIR = "capture"  # firmware/hal/record.py: _DIR
RECONNECT_POLL_S = 0.5
PROGRESS_EVERY_S = 0.5
RESTORE_TRIES = 3
PROMPT = b">>> "  # the friendly REPL's prompt: a program has ended

# Runs on the board: the board's name, its MAC, and of the config only what a trace header takes
_FACTS = """
import json, hal
def _load(p):
    try:
        with open(p) as f:
            return json.load(f)
    except Exception:
        return {}
_c = _load('config.json')
print(repr({'board': _load('board.json').get('name'), 'mac': hal.load().mac(),
 'config': {k: _c[k] for k in ('device', 'interval_s', 'sample_s', 'sensors', 'i2c', 'capture') if k in _c}}))
"""

_CHUNKS = """
import os
try:
    _n = sorted(int(x) for x in os.listdir(%r) if x.isdigit())
except OSError:
    _n = []
print(repr(_n))
"""


@dataclass
class Result:
    path: Path
    records: int = 0
    frames: int = 0
    lost: int = 0
    damaged: int = 0
    gaps: int = 0
    seconds: float = 0.0
    ended: bool = False  # the node stopped capturing by itself (its program ended)
    interrupted: bool = False  # stopped with Ctrl-C
    restored: bool = True  # capture.json removed again and the node restarted
    notes: list = field(default_factory=list)  # (message key, params)


def facts(dev: Device) -> dict:
    """{"board", "device", "config"} of the board on dev: no secret in it."""
    found = dev.eval(_FACTS)
    if not isinstance(found, dict) or not isinstance(found.get("config"), dict):
        raise ReallaborError("device.bad_reply", EXIT_FAILED, details=[repr(found)[:60]], port=dev.port)
    if not found.get("board"):
        raise ReallaborError("capture.no_board", EXIT_FAILED, port=dev.port)
    config = found["config"]
    device = config.get("device")
    mac = found.get("mac")
    if not device and isinstance(mac, bytes) and len(mac) == 6:
        ident = devicecode.ident()
        device = ident.device_id(mac)
    return {"board": found["board"], "device": device, "config": config}


def write_trace(path: Path, cap: captured.Capture, info: dict, description: str, start_ms: int | None) -> int:
    """The trace file, written whole and then renamed into place (a valid file or the old one)."""
    start = cap.start_ms() if start_ms is None else start_ms
    if start is None:
        start = int(time.time() * 1000)
    records = cap.records(start)
    end_ms = records[-1]["t"] if records else 0
    header = captured.header(info["board"], start, info["config"], description, info.get("device"), end_ms)
    records = captured.loosened(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fileformat.write(tmp, header, records)
    os.replace(tmp, path)
    return len(records)


def console_capture(port: str, out: Path, minutes: float | None = None, progress=None, timeout: float = 10) -> Result:
    """Capture from the console until `minutes` of the node's time (and at most as much wall
    time) have passed, the node stops, or Ctrl-C; the trace holds everything up to then."""
    say = progress or (lambda **counts: None)
    result = Result(out)
    cap = captured.Capture()
    with Device(port, timeout) as dev:
        info = facts(dev)
        dev.write(CAPTURE_FILE, json.dumps({"to": "console"}).encode(), atomic=True)
        dev.reboot()
        ser = dev.transport.serial
        dev.transport = None  # from here on this module reads the port itself
    started = time.monotonic()
    try:
        _read(port, ser, cap, started, minutes, say, result)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        result.seconds = time.monotonic() - started
        result.ended = cap.ended
    result.records = write_trace(out, cap, info, f"Captured from {info['device'] or port} on its console.", None)
    _counts(result, cap)
    if not cap.frames:
        result.notes.append(("capture.no_frames", {"port": port}))
    result.restored = _restore(port, timeout, result)
    return result


def _counts(result: Result, cap: captured.Capture) -> None:
    result.frames, result.lost, result.damaged = cap.frames, cap.lost, cap.damaged
    result.gaps = sum(1 for r in cap.records(0) if "gap" in r)


def _read(port, ser, cap: captured.Capture, started: float, minutes, say, result: Result) -> None:
    held = [ser]
    try:
        _read_lines(port, held, cap, started, minutes, say, result)
    finally:
        _close(held[0])


def _read_lines(port, held, cap: captured.Capture, started: float, minutes, say, result: Result) -> None:
    limit_ms = None if minutes is None else minutes * 60_000
    ser = held[0]
    pending = b""
    received = 0
    shown = 0.0
    first_tick = None
    while True:
        now = time.monotonic()
        if limit_ms is not None and (now - started) * 1000 > limit_ms:
            return
        if now - shown >= PROGRESS_EVERY_S:
            say(records=cap.transactions, bytes=received, seconds=int(now - started))
            shown = now
        try:
            data = ser.read(ser.in_waiting or 1)
        except (serial.SerialException, OSError, TypeError, AttributeError):
            # the port went away (a cable pulled, a board reset through USB): wait for it
            cap.disconnected()
            _close(ser)
            ser = held[0] = _reopen(port, started, limit_ms, say, cap, received)
            if ser is None:
                return
            result.notes.append(("capture.reconnected", {"port": port}))
            continue
        if not data:
            continue
        received += len(data)
        pending += data
        *lines, pending = pending.split(b"\n")
        host_ms = time.time() * 1000
        for raw in lines:
            try:
                f = console.frame(raw.decode("utf-8", "replace"))
            except console.DamagedFrame:
                cap.damaged_line()
                continue
            if f is None:
                continue
            cap.feed(f, host_ms)
            if f.kind in "iu":
                first_tick = f.tick if first_tick is None else first_tick
                if limit_ms is not None and cap.boots and cap.boots[-1].tick - first_tick >= limit_ms:
                    return  # enough of the node's time (at full speed a virtual board is quicker)
            if f.kind == "E" and cap.ended:
                say(records=cap.transactions, bytes=received, seconds=int(time.monotonic() - started))
                _until_prompt(ser, pending)
                return


def _until_prompt(ser, pending: bytes, timeout_s: float = 3) -> None:
    """The node ended its program: let it get to its REPL prompt before anyone types at it."""
    seen = pending
    deadline = time.monotonic() + timeout_s
    while PROMPT not in seen and time.monotonic() < deadline:
        try:
            seen = (seen + ser.read(ser.in_waiting or 1))[-64:]
        except (serial.SerialException, OSError):
            return


def _reopen(port: str, started: float, limit_ms, say, cap, received):
    """The port again once it is back (None when the time is up first); opened without toggling
    DTR and RTS, which would reset many boards."""
    while True:
        if limit_ms is not None and (time.monotonic() - started) * 1000 > limit_ms:
            return None
        say(records=cap.transactions, bytes=received, seconds=int(time.monotonic() - started), waiting=True)
        if os.path.exists(port):
            s = serial.Serial()
            s.port, s.baudrate, s.timeout = port, 115200, 0.2
            s.dtr = s.rts = False
            try:
                s.open()
                return s
            except (serial.SerialException, OSError):
                pass
        time.sleep(RECONNECT_POLL_S)


def _close(ser) -> None:
    try:
        ser.close()
    except Exception:
        pass


def _restore(port: str, timeout: float, result: Result) -> bool:
    """capture.json off the board and the node restarted without it; False if the board is gone."""
    for attempt in range(RESTORE_TRIES):
        try:
            with Device(port, timeout) as dev:
                dev.remove(CAPTURE_FILE)
                dev.reboot()
            return True
        except ReallaborError:
            time.sleep(0.5)  # a board that was just ending its program: once more
    result.notes.append(("capture.not_restored", {"port": port, "file": CAPTURE_FILE}))
    return False


def from_flash(port: str, out: Path, progress=None, timeout: float = 10) -> Result:
    """The chunks an unattended capture wrote to the board's flash, as one trace; then removed."""
    say = progress or (lambda **counts: None)
    result = Result(out)
    cap = captured.Capture()
    started = time.monotonic()
    with Device(port, timeout) as dev:
        info = facts(dev)
        chunks = dev.eval(_CHUNKS % CHUNK_DIR)
        if not chunks:
            raise ReallaborError("capture.no_chunks", EXIT_BAD_INPUT, port=port)
        received = 0
        for i, n in enumerate(chunks, 1):
            data = dev.read(f"{CHUNK_DIR}/{n}") or b""
            received += len(data)
            say(records=cap.transactions, bytes=received, seconds=int(time.monotonic() - started), chunk=i,
                chunks=len(chunks))
            for raw in data.split(b"\n"):
                try:
                    f = console.frame(raw.decode("utf-8", "replace"))
                except console.DamagedFrame:
                    cap.damaged_line()  # a frame a power cut ended mid-way
                    continue
                if f is not None:
                    cap.feed(f)
        result.records = write_trace(out, cap, info, f"Captured from {info['device'] or port} on its flash.",
                                     None if cap.start_ms() is not None else _start_guess(cap))
        for n in chunks:
            dev.remove(f"{CHUNK_DIR}/{n}")
        dev.reboot()
    _counts(result, cap)
    result.seconds = time.monotonic() - started
    if cap.start_ms() is None:
        result.notes.append(("capture.start_guessed", {}))
    return result


def _start_guess(cap: captured.Capture) -> int:
    """Without the node's wall time: as if the newest boot ran until now."""
    last = cap.boots[-1].tick if cap.boots else 0
    return int(time.time() * 1000) - last


def check_out(path: Path) -> None:
    """--out must be a file we can write (its directory exists or can be made), not a directory."""
    if path.is_dir():
        raise ReallaborError("capture.out_is_dir", EXIT_BAD_INPUT, path=path)


def port_exists(port: str) -> None:
    if os.name == "posix" and not os.path.exists(port):
        raise ReallaborError("port.not_found", EXIT_BAD_INPUT, port=port)
