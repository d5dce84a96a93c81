"""Live readings for people: a compact terminal table. One labelled column per sensor and quantity
("sht4x T °C", so a kit with three thermometers shows which is which), the time, and the health of
every sensor that is not fine in words. Table: one row per time step of a replay; LiveTable: one row
per message from real nodes, with wall-clock times and their status changes."""

import sys
import time
from datetime import datetime, timezone

from reallabor.i18n import msg

# Short column labels for the quantities the firmware publishes.
LABELS = {"temperature": "T", "humidity": "RH", "pressure": "p", "co2": "CO2", "pm1": "PM1", "pm2_5": "PM2.5",
          "pm4": "PM4", "pm10": "PM10", "illuminance": "E"}


def columns(state: dict) -> list[tuple[str, str, str]]:
    """(sensor, quantity, header text) for every reading in a state message."""
    out = []
    for sensor, readings in state.get("readings", {}).items():
        for quantity, r in readings.items():
            out.append((sensor, quantity, f"{sensor} {LABELS.get(quantity, quantity)} {r['unit']}"))
    return out


def health_words(health: dict) -> str:
    """Sensors that are not fine, in words: "scd4x: Sensor wärmt auf"; "ok" when all are."""
    bad = [msg("live.health.line", sensor=k, word=msg(f"health.word.{v}")) for k, v in health.items() if v != "ok"]
    return ", ".join(bad) if bad else "ok"


def _cells(cols, state: dict) -> list[str]:
    out = []
    for sensor, quantity, head in cols:
        r = state.get("readings", {}).get(sensor, {}).get(quantity)
        out.append(f"{str(r['value']) if r else '-':>{len(head)}}")
    return out


class Table:
    """Prints a row for the first state message of every `every_ms` of (virtual) time; times are
    the trace's (UTC)."""

    def __init__(self, every_ms: int = 3_600_000, out=sys.stdout, start_s: int | None = None):
        """start_s: wall time at t = 0 (a replay's trace start), for messages that carry none"""
        self.every_ms = every_ms
        self.out = out
        self.start_s = start_s
        self.cols = None
        self.next_t = 0

    def add(self, t: int, state: dict) -> None:
        if t < self.next_t:
            return
        self.next_t = (t // self.every_ms + 1) * self.every_ms
        if self.cols is None or any(c not in self.cols for c in columns(state)):
            self.cols = columns(state) or self.cols or []
            head = ["time ", "  seq"] + [c[2] for c in self.cols] + ["  health"]
            print(" ".join(head), file=self.out)
        when = state.get("time") or (self.start_s + t // 1000 if self.start_s is not None else None)
        clock = datetime.fromtimestamp(when, timezone.utc).strftime("%H:%M") if when else f"{t // 60000:5d}"
        cells = [clock, f"{state.get('seq', 0):5d}"] + _cells(self.cols, state)
        cells.append("  " + health_words(state.get("health", {})))
        print(" ".join(cells), file=self.out, flush=True)


class LiveTable:
    """One row per state message of real nodes, in arrival order, with the local wall-clock time
    of the reading (the node's clock, else the arrival); a header whenever the columns change.
    Status changes (online, asleep until, offline) get a line of their own."""

    def __init__(self, out=sys.stdout, names: dict | None = None):
        self.out = out
        self.names = names or {}
        self.cols: list = []
        self.width = 10

    def reading(self, device: str, seq: int, when: float, readings: dict, health: dict) -> None:
        state = {"readings": readings}
        new = [c for c in columns(state) if c not in self.cols]
        name = self.names.get(device, device)
        if new or not self.cols:
            self.cols += new
            self.width = max(self.width, len(name))
            head = ["time    ", f"{'device':{self.width}}", "   seq"] + [c[2] for c in self.cols] + ["  health"]
            print(" ".join(head), file=self.out)
        self.width = max(self.width, len(name))
        cells = [time.strftime("%H:%M:%S", time.localtime(when)), f"{name:{self.width}}", f"{seq:6d}"]
        cells += _cells(self.cols, state) + ["  " + health_words(health)]
        print(" ".join(cells), file=self.out, flush=True)

    def status(self, device: str, state: str, received: float, wake: int | None) -> None:
        if state == "sleeping" and wake:
            text = msg("live.state.sleeping", time=time.strftime("%H:%M", time.localtime(wake)))
        else:
            text = msg(f"live.state.{state}")
        print(msg("monitor.status", time=time.strftime("%H:%M:%S", time.localtime(received)),
                  device=self.names.get(device, device), state=text), file=self.out, flush=True)
