# Value-level replay (docs/trace-format.md, "Value records"): a trace of the readings a node
# published (`reallabor capture --broker`) holds no bus bytes for the drivers, so the simulator
# puts value drivers in their place, as hal/simtime.py stands in for `time`: sys.modules gets a
# stand-in for each configured driver module whose class returns the sensor's recorded values at
# their time, or raises its recorded health. Pipeline, codec and uplink run as they always do.
# Loaded by hal/sim.py when the host says the trace is value-level (RL_VALUES=1).
import json
import sys

from hal.simtime import clock
from node.sensors import ABSENT, DONE, OK, SHARED, STALE, SensorError

_LO = -(1 << 30)  # the node that published them judged the values already: no range here
_HI = (1 << 30) - 1

_values = None


class Values:
    # Streams the trace's value records; keeps the newest one per sensor name.
    def __init__(self, path):
        from hal.sim import open_trace

        self._file, header = open_trace(path)
        self.quantities = {}  # sensor name -> ((quantity, unit, decimals, lo, hi), ...)
        self.types = []
        for s in header.get("sensors", ()):
            q = s.get("quantities") or ()
            self.quantities[s.get("name", s["type"])] = tuple((x[0], x[1], x[2], _LO, _HI) for x in q)
            self.types.append(s["type"])
        del header
        self.newest = {}  # sensor name -> (health, {quantity: value})
        self._next = None
        self._read_next()

    def _read_next(self):
        while True:
            line = self._file.line()
            if not line:
                self._next = None
                return
            if b'"sensor"' in line:  # a quick look first
                r = json.loads(line)
                if "sensor" in r:
                    self._next = r
                    return

    def at(self, name, now):
        # The sensor's record in force at virtual ms now, or None before its first one
        while self._next is not None and self._next["t"] <= now:
            r = self._next
            self.newest[r["sensor"]] = (r.get("health", OK), r.get("values", {}))
            self._read_next()
        return self.newest.get(name)


class Recorded:
    # The driver contract of node/sensors/__init__.py, answered from value records.
    BAUD = 9600  # a UART sensor type still gets its bus from the board (unused here)
    lead_ms = 0
    timeout_ms = 1000
    late = STALE

    def __init__(self, bus, cfg):
        self.name = cfg["name"]
        self.quantities = _values.quantities.get(self.name, ())
        self.values = [0] * len(self.quantities)
        self.ready = False

    def init(self):
        self.ready = True
        return 0

    def start(self):
        return 0

    def poll(self):
        r = _values.at(self.name, clock.elapsed)
        if r is None:
            raise SensorError(ABSENT, "%s: no recorded value yet" % self.name)
        health, values = r
        if health != OK or not self.quantities:
            raise SensorError(health if health != OK else STALE, "%s: recorded %s" % (self.name, health))
        for i in range(len(self.quantities)):
            self.values[i] = values.get(self.quantities[i][0], self.values[i])
        return DONE

    def reset(self):
        pass


class _Module:
    pass


def install(path):
    # Value drivers in the place of the drivers the trace's sensors name.
    global _values
    _values = Values(path)
    for kind in _values.types:
        name = SHARED.get(kind, kind)
        stand_in = _Module()
        setattr(stand_in, name.upper(), Recorded)
        sys.modules["node.sensors." + name] = stand_in
