"""Value-level captures (docs/trace-format.md, "Value records"): a node's state messages
(docs/payload.md), as a broker delivers them, become records of what each sensor reported, so that
a replay feeds yesterday's real readings into the pipeline onward (firmware/hal/simvalues.py)
without bus bytes. `capture()` records them from a broker."""

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.firmware import devicecode
from reallabor.traces import captured

DEFAULT_BOARD = "esp32-devkitc"  # a board with i2c0, uart1 and uart2: room for any set of sensors


@dataclass
class _Sensor:
    name: str
    quantities: list = field(default_factory=list)  # [name, unit, decimals]


class ValueCapture:
    """add() each state message's payload as it arrives; trace() makes the header and records."""

    def __init__(self, device: str | None = None):
        self.device = device
        self.messages: list[tuple[int, dict]] = []  # (Unix ms of its time, payload) in arrival order
        self.seen: set = set()
        self.untimed = 0  # messages without a time (a node before NTP): left out
        self.sensors: dict[str, _Sensor] = {}  # in the order they first appeared

    def add(self, payload: bytes | str) -> bool:
        """One state message; False if it is not one (or a duplicate: QoS 1 may deliver twice)."""
        try:
            body = json.loads(payload, parse_float=str)  # 21.50 stays "21.50": the decimals count
        except ValueError:
            return False
        if not isinstance(body, dict) or not isinstance(body.get("health"), dict):
            return False
        key = (body.get("device"), body.get("seq"))
        if key in self.seen:
            return False
        self.seen.add(key)
        self.device = self.device or body.get("device")
        for name in body["health"]:
            self.sensors.setdefault(name, _Sensor(name))
        for name, readings in (body.get("readings") or {}).items():
            s = self.sensors.setdefault(name, _Sensor(name))
            known = {q[0] for q in s.quantities}
            for quantity, r in readings.items():
                if quantity not in known and isinstance(r, dict):
                    s.quantities.append([quantity, str(r.get("unit", "")), _decimals(r.get("value"))])
        if not isinstance(body.get("time"), int):
            self.untimed += 1
            return True
        self.messages.append((body["time"] * 1000, body))
        return True

    @property
    def count(self) -> int:
        return len(self.messages)

    def interval_ms(self) -> int:
        times = sorted({t for t, _ in self.messages})
        steps = Counter(b - a for a, b in zip(times, times[1:]) if b > a)
        return steps.most_common(1)[0][0] if steps else 60_000

    def trace(self, board: str = DEFAULT_BOARD, description: str = "") -> tuple[dict, list[dict]]:
        if not self.messages:
            raise ReallaborError("capture.no_messages", EXIT_FAILED, device=self.device or "?")
        start = min(t for t, _ in self.messages)
        records = []
        for t, body in sorted(self.messages, key=lambda m: m[0]):
            readings = body.get("readings") or {}
            for name, health in body["health"].items():
                record = {"t": t - start, "sensor": name, "health": health}
                if health == "ok" and name in readings:
                    decimals = {q[0]: q[2] for q in self.sensors[name].quantities}
                    record["values"] = {q: _scaled(r.get("value"), decimals.get(q, 0))
                                        for q, r in readings[name].items() if isinstance(r, dict)}
                records.append(record)
        header = {"format": "reallabor-trace", "version": 1, "board": board, "source": "captured",
                  "start": captured.iso_utc(start), "interval_ms": self.interval_ms()}
        if self.device:
            header["device"] = self.device
        header["sensors"] = self._entries()
        header["description"] = description or f"State messages of {self.device} captured from a broker."
        return header, records

    def _entries(self) -> list[dict]:
        """Sensor entries a replay can configure: a type (the name, if it names one, else the first
        type publishing these quantities), a place of its own, no stuck check (the node judged the
        values already), and the quantities with their units and decimals."""
        config = devicecode.config()
        table = config._SENSORS
        entries, places, uarts = [], set(), iter(("uart1", "uart2"))
        for s in self.sensors.values():
            names = {q[0] for q in s.quantities}
            kind = s.name if s.name in table else next(
                (k for k, facts in table.items() if set(facts[2]) == names), None) or next(
                (k for k, facts in table.items() if names and names <= set(facts[2])), "bme280")
            entry = {"type": kind, "name": s.name}
            if table[kind][0] == "uart":
                entry["bus"] = next(uarts, "uart2")
            else:
                addr = table[kind][1]
                while ("i2c0", addr) in places:
                    addr += 1
                places.add(("i2c0", addr))
                entry.update(bus="i2c0", addr=addr)
            entry["stuck_after"] = 0
            entry["quantities"] = s.quantities
            entries.append(entry)
        return entries


def _decimals(value) -> int:
    text = str(value)
    return len(text.split(".", 1)[1]) if "." in text else 0


def _scaled(value, decimals: int) -> int:
    """"21.5", 2 -> 2150; 642, 0 -> 642: the integer a driver returns for the published text."""
    text = str(value)
    whole, _, frac = text.partition(".")
    frac = (frac + "0" * decimals)[:decimals]
    sign = -1 if whole.startswith("-") else 1
    return sign * int((whole.lstrip("-") or "0") + frac)


def capture(url: str, device: str, minutes: float | None = None, progress=None, stop: threading.Event | None = None,
            ready: threading.Event | None = None) -> ValueCapture:
    """State messages of `device` from the broker at url until `minutes` pass, stop is set, or
    Ctrl-C; ready is set once subscribed (a test starts its node then)."""
    from reallabor.mqtt.subscriber import Subscriber

    vc = ValueCapture(device)
    say = progress or (lambda **counts: None)
    started = time.monotonic()
    received = 0
    try:
        with Subscriber(url, f"+/+/{device}/state") as sub:
            if ready:
                ready.set()
            while not (stop and stop.is_set()):
                elapsed = time.monotonic() - started
                if minutes is not None and elapsed > minutes * 60:
                    break
                try:
                    _topic, payload = sub.inbox.get(timeout=0.2)
                except Exception:  # queue.Empty
                    say(records=vc.count, bytes=received, seconds=int(elapsed))
                    continue
                received += len(payload)
                vc.add(payload)
            while not sub.inbox.empty():  # what arrived before the stop
                vc.add(sub.inbox.get_nowait()[1])
    except KeyboardInterrupt:
        pass
    return vc
