"""Live readings for people: a compact terminal table (one row per time step, not a flood)."""

import sys
from datetime import datetime, timezone

# Short column labels for the quantities the firmware publishes.
LABELS = {"temperature": "T", "humidity": "RH", "pressure": "p", "co2": "CO2", "pm1": "PM1", "pm2_5": "PM2.5",
          "pm4": "PM4", "pm10": "PM10", "illuminance": "E"}


def columns(state: dict) -> list[tuple[str, str, str]]:
    """(sensor, quantity, header text) for every reading in a state message."""
    out = []
    for sensor, readings in state.get("readings", {}).items():
        for quantity, r in readings.items():
            out.append((sensor, quantity, f"{LABELS.get(quantity, quantity)} {r['unit']}"))
    return out


class Table:
    """Prints a row for the first state message of every `every_ms` of (virtual) time."""

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
            head = ["time ", "  seq"] + [f"{c[2]:>12}" for c in self.cols] + ["  health"]
            print(" ".join(head), file=self.out)
        when = state.get("time") or (self.start_s + t // 1000 if self.start_s is not None else None)
        clock = datetime.fromtimestamp(when, timezone.utc).strftime("%H:%M") if when else f"{t // 60000:5d}"
        cells = [clock, f"{state.get('seq', 0):5d}"]
        for sensor, quantity, _ in self.cols:
            r = state.get("readings", {}).get(sensor, {}).get(quantity)
            cells.append(f"{r['value']:>12}" if r else f"{'-':>12}")
        bad = [f"{k}={v}" for k, v in state.get("health", {}).items() if v != "ok"]
        cells.append("  " + (", ".join(bad) if bad else "ok"))
        print(" ".join(cells), file=self.out, flush=True)
