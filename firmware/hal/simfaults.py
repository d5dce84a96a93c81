# Fault events for the simulated board (docs/trace-format.md), loaded only for traces that have
# them: the fault cursor (a full flash is hal/simflash.py's to carry out).
import json
import sys

from hal import simtime
from node import clock


class Faults:
    # Fault events of the trace (docs/trace-format.md) in time order, read with a cursor of their
    # own. Network and flash faults change this board; the kinds in host_faults (the host names
    # them: broker, proxy and network faults) are also the host's to carry out, so the board stops
    # virtual time until the host says it is done with that one ("fault <index>"). A power loss is
    # announced only: the host kills the process a moment later, wherever it is; virtual time
    # stands still until then, so nothing happens after the power went.
    def __init__(self, path, start_ms, host_faults):
        from hal.sim import open_trace

        self._file = open_trace(path)[0]
        self._host = host_faults
        self.index = -1
        self.network = True
        self.flash_full = False
        self._next = None
        self.due = None
        self._read_next()
        while self.due is not None and self.due < start_ms:  # before this boot: the state only
            self._apply(self._take())

    def _read_next(self):
        while True:
            line = self._file.line()
            if not line:
                self._next = self.due = None
                return
            if b'"fault"' in line:  # a quick look first: most records are none
                r = json.loads(line)
                if "fault" in r:
                    self._next = r
                    self.due = r["t"]
                    self.index += 1
                    return

    def _take(self):
        r = self._next
        self._read_next()
        return r["fault"]

    def _apply(self, kind):
        if kind in ("network_down", "network_up"):
            self.network = kind == "network_up"
        elif kind in ("flash_full", "flash_free"):
            self.flash_full = kind == "flash_full"

    def fire(self):
        index = self.index
        kind = self._take()
        print("%d I sim fault %d %s" % (clock.uptime_ms(), index, kind))
        if kind == "power_loss":
            simtime.clock.cut_power()
        elif kind in self._host:
            done = "fault %d" % index
            while True:  # only the answer to this fault ends the wait (an end of input too)
                line = sys.stdin.readline()
                if not line or line.strip() == done:
                    break
        self._apply(kind)
