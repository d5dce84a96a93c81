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
    # machine.I2C over RegisterDevice objects (register methods) and CommandDevice objects (plain
    # writes and reads); a missing address raises ENODEV, a read nothing answers EIO.
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

    def writeto(self, addr, buf):
        dev = self._dev(addr)
        dev.writes.append(bytes(buf))
        dev.last = bytes(buf)

    def readfrom_into(self, addr, buf):
        dev = self._dev(addr)
        reply = dev.replies.get(dev.last)
        if reply is None or len(reply) < len(buf):
            raise OSError(5)
        for i in range(len(buf)):
            buf[i] = reply[i]


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


class CommandDevice:
    # An I2C chip driven by commands (Sensirion, BH1750): every writeto() is recorded, and a
    # readfrom_into() that follows is answered by replies[the bytes last written].
    def __init__(self, replies=None):
        self.replies = dict(replies or {})
        self.writes = []
        self.last = b""


class MemoryUART:
    # machine.UART's non-blocking calls over memory: `incoming` holds what the sensor has sent,
    # `written` what the driver wrote; replies[command] is queued when the driver writes command.
    def __init__(self, replies=None):
        self.replies = dict(replies or {})
        self.incoming = bytearray()
        self.written = []

    def write(self, buf):
        data = bytes(buf)
        self.written.append(data)
        self.incoming += self.replies.get(data, b"")
        return len(data)

    def any(self):
        return len(self.incoming)

    def readinto(self, buf, nbytes=None):
        n = min(len(buf) if nbytes is None else nbytes, len(self.incoming))
        for i in range(n):
            buf[i] = self.incoming[i]
        self.incoming = self.incoming[n:]
        return n or None


def words(*values):
    # a Sensirion reply: each 16-bit word followed by its CRC (computed by the code under test,
    # whose CRC itself is checked against the datasheet examples in test_sensirion.py)
    from node.sensors.sensirion import crc8

    out = bytearray()
    for v in values:
        w = bytes((v >> 8, v & 0xFF))
        out += w + bytes((crc8(w, 0),))
    return bytes(out)
