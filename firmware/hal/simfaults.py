# Fault events for the simulated board (docs/trace-format.md), loaded only for traces that have
# them: the fault cursor and the flash directory as a filesystem that can be full.
import json
import os
import sys

from node import clock

_ENOSPC = 28


class Faults:
    # Fault events of the trace (docs/trace-format.md) in time order, read with a cursor of their
    # own. Network and flash faults change this board; the kinds in host_faults (the host names
    # them: broker, proxy and network faults) are also the host's to carry out, so the board stops
    # virtual time until the host says it is done. A power loss is announced only: the host kills
    # the process a moment later, wherever it is.
    def __init__(self, path, start_ms, host_faults):
        self._file = open(path)
        self._file.readline()
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
            line = self._file.readline()
            if not line:
                self._next = self.due = None
                return
            if '"fault"' in line:
                self._next = json.loads(line)
                self.due = self._next["t"]
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
        if kind in self._host:
            sys.stdin.readline()
        self._apply(kind)


class Flash:
    # The flash directory as a mounted filesystem, so a "flash_full" fault makes every write fail
    # with ENOSPC, as LittleFS does on a full board.
    def __init__(self, path, faults):
        self._vfs = os.VfsPosix(path)
        self._faults = faults

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def open(self, path, mode):
        f = self._vfs.open(path, mode)
        # a file read (imports too: they need the port's own file object) is as on any board
        return f if mode in ("r", "rb") else _FlashFile(f, self._faults)

    def __getattr__(self, name):
        return getattr(self._vfs, name)


class _FlashFile:
    def __init__(self, f, faults):
        self._f = f
        self._faults = faults

    def write(self, data):
        if self._faults.flash_full:
            raise OSError(_ENOSPC)
        return self._f.write(data)

    def read(self, *n):
        return self._f.read(*n)

    def readinto(self, buf):
        return self._f.readinto(buf)

    def readline(self):
        return self._f.readline()

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self):
        return self._f.tell()

    def flush(self):
        return self._f.flush()

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()
