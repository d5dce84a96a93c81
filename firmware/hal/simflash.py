# The simulator's flash directory as a mounted filesystem, as LittleFS on the board's SPI flash:
# closing a written file takes the time programming its data takes (256-byte pages) and one
# metadata page (LittleFS caches writes until then), every 4 KB written takes a sector erase, and
# a rename or remove one metadata page; the figures are the simulator's (hal/sim.py COST_MS). A "flash_full" fault (hal/simfaults.py) makes every write fail with
# ENOSPC, as LittleFS does on a full board. Reads are as on any board: the port's own file
# objects (imports need them).
#
# An approximation of LittleFS: it erases a block when a file or its metadata needs a fresh one,
# which for the appends and small files of this firmware is about once per 4 KB written.
from micropython import const
import os

_ENOSPC = const(28)
_PAGE = const(256)
_SECTOR = const(4096)


class Flash:
    def __init__(self, path, spend_us, cost_ms, faults=None):
        self._vfs = os.VfsPosix(path)
        self._spend_us = spend_us
        self._page_us = cost_ms["flash_page_us"]
        self._erase_us = cost_ms["flash_erase_4k"] * 1000
        self._faults = faults
        self._written = 0  # bytes since the last erase

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def open(self, path, mode):
        f = self._vfs.open(path, mode)
        return f if mode in ("r", "rb") else _FlashFile(f, self)

    def rename(self, old, new):
        self.program(0)
        self._vfs.rename(old, new)

    def remove(self, path):
        self.program(0)
        self._vfs.remove(path)

    def check(self):
        if self._faults is not None and self._faults.flash_full:
            raise OSError(_ENOSPC)

    def program(self, n):
        # n bytes of data and a metadata page onto the flash, taking their time
        self.check()
        pages = (n + _PAGE - 1) // _PAGE + 1
        us = pages * self._page_us
        self._written += pages * _PAGE
        if self._written >= _SECTOR:
            self._written -= _SECTOR
            us += self._erase_us
        self._spend_us(us)

    def __getattr__(self, name):
        return getattr(self._vfs, name)


class _FlashFile:
    def __init__(self, f, flash):
        self._f = f
        self._flash = flash
        self._n = 0  # bytes written, programmed at close

    def write(self, data):
        self._flash.check()
        self._n += len(data)
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

    def close(self, *exc):
        self._f.close()
        if self._n:
            n, self._n = self._n, 0
            self._flash.program(n)

    def __enter__(self):
        return self

    __exit__ = close  # one call less at the end of every `with open(...)`
