"""Trace tools: cut a stretch out of a trace, merge two captures of one node onto one timeline.

Records mean "from t on" (docs/trace-format.md), so a cut carries the state in force at its start:
every answer, accepted write and UART reply, a device that no longer answers, a network or broker
that is down, each sensor's newest value, all moved to its time 0. Events before the cut (UART bytes
sent on their own, radio frames, one-off faults) are gone with it."""

import json
import re
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.traces import captured, fileformat

_TIME = re.compile(r"^(?:(\d{1,9}):(\d{1,2})(?::(\d{1,2}))?|(\d{1,15}(?:\.\d{1,9})?)(ms|s|m|min|h)?)$")
# fault kinds that hold until their counterpart: the one in force at a cut's start goes with it
_STATE_FAULTS = {"network_down": "network", "network_up": "network", "broker_stop": "broker",
                 "broker_start": "broker", "flash_full": "flash", "flash_free": "flash"}


def parse_time(text: str) -> int:
    """Trace time as people write it -> ms: "90" (minutes), "90m", "1.5h", "5400s", "1:30" (h:mm),
    "1:30:00", "250ms"."""
    m = _TIME.match(text.strip())
    if not m:
        raise ReallaborError("trace.bad_time", EXIT_BAD_INPUT, value=text)
    if m[1] is not None:
        ms = ((int(m[1]) * 60 + int(m[2])) * 60 + int(m[3] or 0)) * 1000
    else:
        unit = {"ms": 1, "s": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, None: 60_000}[m[5]]
        ms = int(float(m[4]) * unit)
    if ms > fileformat.MAX_MS:  # no trace is longer
        raise ReallaborError("trace.bad_time", EXIT_BAD_INPUT, value=text)
    return ms


def cut(path: Path, from_ms: int, to_ms: int | None) -> tuple[dict, list[dict]]:
    """The part of a trace from from_ms up to (not including) to_ms, as (header, records) with
    its time 0 at from_ms."""
    summary = fileformat.load(path)
    if from_ms < 0 or (to_ms is not None and to_ms <= from_ms):
        raise ReallaborError("trace.bad_cut", EXIT_BAD_INPUT, start=from_ms, end=to_ms)
    if from_ms > summary.end_ms:
        raise ReallaborError("trace.cut_outside", EXIT_BAD_INPUT, start=from_ms, end=summary.end_ms, path=path)
    lines = fileformat.records(path)
    header = dict(next(lines))
    state: dict = {}  # what holds at from_ms, keyed by what replaces it, in the order last set
    absent: dict = {}  # (bus, addr) -> True while the device does not answer
    out = []
    for r in lines:
        t = r["t"]
        if to_ms is not None and t >= to_ms:
            break
        if t >= from_ms:
            r = dict(r, t=t - from_ms)
            if "gap" in r:
                r["from"] = max(0, r["from"] - from_ms)
            out.append(r)
            continue
        key = _state_key(r)
        if key is None:
            continue
        if key[0] == "ack":
            absent[key[1:]] = not r["ack"]
            continue
        if "addr" in r:
            absent[(r["bus"], r["addr"])] = False  # any record of a device: it answers from then on
        state.pop(key, None)
        state[key] = r
    carried = [dict(r, t=0) for r in state.values()]
    carried += [{"t": 0, "bus": bus, "addr": addr, "ack": False} for (bus, addr), gone in absent.items() if gone]
    header["start"] = captured.iso_utc(summary.epoch_ms + from_ms)
    end = (to_ms if to_ms is not None else summary.end_ms) - from_ms
    header["end_ms"] = max(1, end)
    note = f"cut {from_ms // 1000} s to {end // 1000 + from_ms // 1000} s of {path.name}"
    header["description"] = f"{header['description']} ({note})" if header.get("description") else note.capitalize()
    return header, carried + out


def _state_key(r: dict):
    """What a record before a cut sets that still holds after it; None for events."""
    if "fault" in r:
        what = _STATE_FAULTS.get(r["fault"])
        return ("fault", what) if what else None
    if "sensor" in r:
        return ("value", r["sensor"])
    if "radio" in r or "gap" in r:
        return None
    if "addr" in r:
        if "ack" in r:
            return ("ack", r["bus"], r["addr"])
        return ("i2c", r["bus"], r["addr"], r.get("w", ""), "r" in r)
    if "w" in r:
        return ("uart", r["bus"], r["w"])
    return None  # UART bytes sent on their own: gone once sent


def merge(first: Path, second: Path) -> tuple[dict, list[dict]]:
    """Two traces of one node (two captures, before and after a break) on one timeline, placed
    by their start times; the time between them, if any, is a gap."""
    a, b = fileformat.load(first), fileformat.load(second)
    ha, hb = a.header, b.header
    for name in ("board", "interval_ms", "i2c"):
        if name in ha and name in hb and ha[name] != hb[name]:
            raise ReallaborError("trace.merge_differ", EXIT_BAD_INPUT, field=name, first=first, second=second,
                                 a=json.dumps(ha[name]), b=json.dumps(hb[name]))
    if ha.get("device") and hb.get("device") and ha["device"] != hb["device"]:
        raise ReallaborError("trace.merge_differ", EXIT_BAD_INPUT, field="device", first=first, second=second,
                             a=ha["device"], b=hb["device"])
    sensors = _merged_sensors(ha.get("sensors", []), hb.get("sensors", []), first, second)
    start = min(a.epoch_ms, b.epoch_ms)
    if max(a.epoch_ms + a.end_ms, b.epoch_ms + b.end_ms) - start > fileformat.MAX_MS:
        raise ReallaborError("trace.merge_too_long", EXIT_BAD_INPUT, first=first, second=second,
                             years=fileformat.MAX_MS // (365 * 86_400_000))
    parts = []
    for summary, path in ((a, first), (b, second)):
        offset = summary.epoch_ms - start
        records = [r for r in fileformat.records(path)][1:]
        for r in records:
            r["t"] += offset
            if "gap" in r:
                r["from"] += offset
        parts.append((offset, summary.end_ms + offset, records))
    parts.sort(key=lambda p: p[0])
    (_, end0, r0), (off1, end1, r1) = parts
    records = sorted(r0 + r1, key=lambda r: r["t"])  # stable: the earlier trace first at a tie
    if end0 < off1 and r1:
        i = next(k for k, r in enumerate(records) if r is r1[0])
        records.insert(i, {"t": r1[0]["t"], "gap": "uncaptured", "from": end0})
    header = {**hb, **ha, "start": captured.iso_utc(start), "sensors": sensors,
              "source": "captured" if "captured" in (ha["source"], hb["source"]) else "synthetic",
              "description": f"{first.name} and {second.name} merged", "end_ms": max(end0, end1, 1)}
    return header, records


def _merged_sensors(sa: list, sb: list, first: Path, second: Path) -> list:
    out = {s.get("name", s.get("type")): s for s in sa}
    for s in sb:
        name = s.get("name", s.get("type"))
        other = out.get(name)
        if other is not None and {k: v for k, v in other.items() if k != "quantities"} != \
                {k: v for k, v in s.items() if k != "quantities"}:
            raise ReallaborError("trace.merge_differ", EXIT_BAD_INPUT, field=f"sensors ({name})", first=first,
                                 second=second, a=json.dumps(other), b=json.dumps(s))
        out.setdefault(name, s)
    return list(out.values())
