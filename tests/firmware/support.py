# Helpers for firmware tests (MicroPython): in-memory buses and sockets standing in for hardware.


def raises(exc_type, func, *args):
    # -> the exception func raised; fails the test if it raised nothing or something else.
    try:
        func(*args)
    except exc_type as e:
        return e
    raise AssertionError("%s not raised" % exc_type.__name__)


class RegisterDevice:
    # An I2C chip as a 256-byte register file with auto-increment, like the Bosch and most others.
    def __init__(self, registers=None):
        self.regs = bytearray(256)
        self.writes = []  # (register, bytes) in order
        for reg, data in (registers or {}).items():
            self.regs[reg:reg + len(data)] = data


class MemoryI2C:
    # machine.I2C's register methods over RegisterDevice objects; a missing address raises ENODEV.
    def __init__(self, devices):
        self.devices = devices

    def _dev(self, addr):
        if addr not in self.devices:
            raise OSError(19)
        return self.devices[addr]

    def readfrom_mem_into(self, addr, reg, buf):
        dev = self._dev(addr)
        for i in range(len(buf)):
            buf[i] = dev.regs[(reg + i) & 0xFF]

    def writeto_mem(self, addr, reg, buf):
        dev = self._dev(addr)
        dev.writes.append((reg, bytes(buf)))
        for i in range(len(buf)):
            dev.regs[(reg + i) & 0xFF] = buf[i]


class MemorySocket:
    # A connected stream: reads come from `incoming`, writes are collected in `sent`.
    def __init__(self, incoming=b""):
        self.incoming = bytearray(incoming)
        self.sent = bytearray()
        self.closed = False

    def write(self, data):
        if self.closed:
            raise OSError(9)
        self.sent += data
        return len(data)

    def read(self, n):
        out = bytes(self.incoming[:n])
        self.incoming = self.incoming[n:]
        return out

    def close(self):
        self.closed = True
