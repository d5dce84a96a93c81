"""Captured traces: what a node's recording layer (firmware/hal/record.py) reports, as trace records
(docs/trace-format.md, "Captured traces"). The frames come from the console or from the chunk
files on flash (reallabor.firmware.console reads them); `Capture` turns them into the records a
replay takes.

This is the one place where what a capture cannot see exactly is normalised (the list in
docs/trace-format.md, "What a capture cannot see"):
- UART bytes carry the tick at which the driver took them, not when they arrived on the wire (the
  HAL sees only what the driver reads); a replay delivers them at that tick, as bytes the sensor
  sent on its own.
- A transfer's clock stretching is the part of its measured time beyond its bits at the bus
  clock (`wire_us`); below STRETCH_MIN_US it is the HAL's own overhead and left out.
- A failed transfer becomes what makes a replay fail it the same way: no acknowledge (ENODEV) a
  device that stops answering (`"ack": false`, until its next record), a timeout a stretch beyond
  any limit, any other error an answer of no bytes (EIO).
- A plain read (readfrom_into) is keyed by the last bytes written to that address with writeto,
  as the simulator keys it.
- When a replay asks: a replayed firmware does not ask at the very ms the captured one did, so
  each answer is in force from halfway since the same question was last asked (`loosened`).
- Time: ticks wrap at 2**30 ms and are unwrapped; trace time 0 is the first boot's tick 0; later
  boots are placed by their wall time (or the host's clock), never before what came earlier.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone

from reallabor.firmware.console import Frame

TICKS_PERIOD = 1 << 30  # the node's ms tick wraps here (as time.ticks_ms() on the ESP32 port)
STRETCH_MIN_US = 500  # less than this beyond the bits on the wire is call overhead, not stretching
_ENODEV = 19
_TIMEOUTS = (110, 116)  # ETIMEDOUT: MicroPython's own number, and ESP-IDF's (newlib)
_SEQ = 1 << 16


def wire_us(nbytes: int, hz: int) -> int:
    """Bus time of an I2C transfer of nbytes at hz: 9 bits a byte plus start, address and stop,
    as the simulator (firmware/hal/sim.py) counts it."""
    return (nbytes + 1) * 9 * 1_000_000 // hz + 20


@dataclass
class _Boot:
    host_tick0: float | None  # host wall time (Unix ms) at this boot's tick 0, from the console
    epoch0: int | None = None  # the node's wall time at its tick 0, from its first T frame that had it
    buses: dict = field(default_factory=dict)  # name -> Hz or baud
    written: dict = field(default_factory=dict)  # (bus, addr) -> hex of the last writeto
    seq: int = 0  # the next data frame's number
    tick: int = 0  # the newest tick, unwrapped
    items: list = field(default_factory=list)  # (tick, record without "t")
    ended: bool = False  # its E frame came: it stopped or went to sleep in order


class Capture:
    """Feed it frames in order (feed), tell it about damaged lines and lost connections; records()
    gives the trace records, start_ms the wall time of trace time 0."""

    def __init__(self):
        self.boots: list[_Boot] = []
        self.frames = 0
        self.damaged = 0
        self.lost = 0  # data frames that never arrived (their numbers were skipped)
        self.transactions = 0
        self._gap = None  # why the next frame follows a gap ("disconnected", "damaged")

    # -- input ------------------------------------------------------------------------------------

    def feed(self, f: Frame, host_ms: float | None = None) -> None:
        self.frames += 1
        boot = self.boots[-1] if self.boots else None
        if boot is None or (f.kind == "H" and f.seq == 0) or (boot and self._went_back(boot, f)):
            boot = self._new_boot(f, host_ms)
        tick = self._unwrap(boot, f.tick)
        lost = (f.seq - boot.seq) % _SEQ
        if lost and lost < _SEQ // 2:
            self.lost += lost
            self._gap_item(boot, tick, self._gap or "lost", lost)
        elif self._gap:
            self._gap_item(boot, tick, self._gap, 0)
        if f.kind in "biu":
            boot.seq = (f.seq + 1) % _SEQ
        elif not lost or lost < _SEQ // 2:
            boot.seq = f.seq
        if f.kind == "T" and f.fields and f.fields[0] != "-" and boot.epoch0 is None:
            boot.epoch0 = int(f.fields[0]) - tick
        elif f.kind == "b":
            boot.buses[f.fields[0]] = int(f.fields[1])
        elif f.kind == "i":
            self._i2c(boot, tick, *f.fields[:6])
        elif f.kind == "u":
            self._uart(boot, tick, *f.fields[:3])
        elif f.kind == "E":
            boot.ended = True
        elif f.kind == "H" and f.seq == 0:
            boot.ended = False

    def damaged_line(self) -> None:
        """A line with the frame mark that failed its check: whatever it was is missing."""
        self.damaged += 1
        self._gap = self._gap or "damaged"

    def disconnected(self) -> None:
        """The host lost the port (a USB reconnect): the next frame comes after a gap."""
        self._gap = "disconnected"

    @property
    def ended(self) -> bool:
        return bool(self.boots) and self.boots[-1].ended

    def _went_back(self, boot: _Boot, f: Frame) -> bool:
        # a tick far behind the newest one, not a wrap: a new boot whose H frame was lost
        back = (boot.tick % TICKS_PERIOD) - f.tick
        return 60_000 < back < TICKS_PERIOD // 2 and f.seq < boot.seq

    def _new_boot(self, f: Frame, host_ms: float | None) -> _Boot:
        boot = _Boot(host_tick0=None if host_ms is None else host_ms - f.tick)
        if f.kind != "H" or f.seq:  # its beginning is missing
            boot.seq = f.seq
            self._gap = self._gap or "lost"
        self.boots.append(boot)
        return boot

    def _unwrap(self, boot: _Boot, tick: int) -> int:
        wraps, last = divmod(boot.tick, TICKS_PERIOD)
        if tick < last - TICKS_PERIOD // 2:
            wraps += 1
        boot.tick = max(boot.tick, wraps * TICKS_PERIOD + tick)
        return wraps * TICKS_PERIOD + tick

    def _gap_item(self, boot: _Boot, tick: int, why: str, frames: int) -> None:
        item = {"gap": why, "from": boot.items[-1][0] if boot.items else tick}
        if frames:
            item["frames"] = frames
        boot.items.append((tick, item))
        self._gap = None

    # -- frames -> records ------------------------------------------------------------------------

    def _i2c(self, boot: _Boot, tick: int, bus: str, addr: str, op: str, data: str, us: str, err: str) -> None:
        self.transactions += 1
        addr, us, err = int(addr), int(us), int(err)
        data = "" if data == "-" else data
        base = {"bus": bus, "addr": addr}
        if err == _ENODEV:
            boot.items.append((tick, {**base, "ack": False}))
            return
        if op in "wM":  # writeto, writeto_mem (register first): the device takes these bytes
            if err:
                return  # not a thing a replay can refuse: it takes any write it knows (see above)
            if op == "w":
                boot.written[(bus, addr)] = data
            boot.items.append((tick, {**base, "w": data}))
            return
        written, read = (data[:2], data[2:]) if op == "m" else (boot.written.get((bus, addr), ""), data)
        record = {**base, "w": written, "r": read if not err else ""}
        if err in _TIMEOUTS:
            record["stretch_us"] = us + 1  # held longer than the controller waited: so again
        elif not err:
            nbytes = len(read) // 2 + (1 if op == "m" else 0)
            stretch = us - wire_us(nbytes, boot.buses.get(bus, 400_000))
            if stretch >= STRETCH_MIN_US:
                record["stretch_us"] = stretch
        boot.items.append((tick, record))

    def _uart(self, boot: _Boot, tick: int, bus: str, op: str, data: str) -> None:
        self.transactions += 1
        data = "" if data == "-" else data
        if op == "x":  # bytes the driver took at this tick: sent by the sensor then, for a replay
            boot.items.append((tick, {"bus": bus, "rx": data}))
        else:  # the driver wrote these; whatever the sensor answered comes as taken bytes
            boot.items.append((tick, {"bus": bus, "w": data, "rx": ""}))

    # -- output -----------------------------------------------------------------------------------

    def start_ms(self) -> int | None:
        """Wall time (Unix ms) of trace time 0: the first boot's tick 0 by its own clock, else by
        the host's; None if neither is known."""
        if not self.boots:
            return None
        first = self.boots[0]
        if first.epoch0 is not None:
            return first.epoch0
        return None if first.host_tick0 is None else int(first.host_tick0)

    def records(self, start_ms: int | None = None) -> list[dict]:
        """Every record, in trace time (ms since start_ms, default start_ms()), as captured."""
        start = self.start_ms() if start_ms is None else start_ms
        out = []
        end = 0
        for k, boot in enumerate(self.boots):
            offset = 0
            if k:
                tick0 = boot.epoch0 if boot.epoch0 is not None else boot.host_tick0
                first = boot.items[0][0] if boot.items else 0
                offset = end - first if tick0 is None or start is None else int(tick0 - start)
                offset = max(offset, end - first)
                if not self.boots[k - 1].ended and boot.items:
                    out.append({"t": max(end, offset + first), "gap": "reboot", "from": end})
            for tick, item in boot.items:
                t = max(end, offset + tick)
                if "from" in item:
                    item = dict(item, **{"from": min(t, max(0, offset + item["from"]))})
                out.append({"t": t, **item})
                end = t
        return out


def loosened(records: list[dict]) -> list[dict]:
    """The records for a replay: each answer in force from halfway since the same question was
    last asked. A replayed firmware asks a ms or two earlier or later than the captured one did
    (its network waits are the broker's, in real time) and must still get the answer the captured
    firmware got at that step. The first answer to a question is there from the start, and none
    moves before its device last appeared or vanished, so the device's presence stays as captured."""
    out = []
    asked = {}  # (bus, addr, bytes written, answered) -> when it was last asked, as captured
    since = {}  # (bus, addr) -> (t, present) when the device last appeared or vanished
    for r in records:
        at = r["t"]
        if "addr" in r or "w" in r:  # an I2C record, or a UART write and its reply
            device = (r["bus"], r.get("addr"))
            question = device + (r.get("w"), "r" in r)
            present = r.get("ack", True)
            appeared, was_present = since.get(device, (0, True))
            if present != was_present:
                since[device] = (r["t"], present)
            elif present:
                at = max(appeared, (asked[question] + r["t"] + 1) // 2 if question in asked else 0)
            asked[question] = r["t"]
        out.append(dict(r, t=at))
    return sorted(out, key=lambda r: r["t"])  # stable: what happened at one ms stays in order


def iso_utc(ms: int) -> str:
    """Unix ms -> "2026-05-14T09:00:00Z" (milliseconds only when there are any)."""
    when = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def header(board: str, start_ms: int, device_config: dict, description: str, device: str | None = None,
           end_ms: int = 0) -> dict:
    """The header of a captured trace: the board, the start, its end (the last record's time as
    captured), and from the node's config what a replay needs to run it the same way (its sensors,
    interval, bus settings) and nothing else."""
    h = {"format": "reallabor-trace", "version": 1, "board": board, "source": "captured", "start": iso_utc(start_ms)}
    if end_ms:
        h["end_ms"] = end_ms
    if device:
        h["device"] = device
    interval_s = device_config.get("interval_s")
    if isinstance(interval_s, int):
        h["interval_ms"] = interval_s * 1000
    h["sensors"] = sensor_entries(device_config)
    if device_config.get("i2c"):
        h["i2c"] = device_config["i2c"]
    h["description"] = description
    return h


# What of a sensor entry a trace header keeps: the config's own fields (nothing else of the config
# goes into a trace; it holds passwords and keys)
_SENSOR_FIELDS = ("type", "name", "bus", "addr", "sample_s", "filter", "change", "stuck_after", "oversampling",
                  "mode", "asc", "altitude_m")


def sensor_entries(device_config: dict) -> list[dict]:
    """The config's sensor entries as a header lists them; a global sample_s goes into each entry
    that has none of its own (a replay configures sensors from the header alone)."""
    entries = []
    sample_s = device_config.get("sample_s")
    for s in device_config.get("sensors") or []:
        if not isinstance(s, dict):
            continue
        entry = {k: v for k, v in s.items() if k in _SENSOR_FIELDS}
        if isinstance(sample_s, int) and "sample_s" not in entry:
            entry["sample_s"] = sample_s
        entries.append(entry)
    return entries
