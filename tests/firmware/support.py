# Helpers for firmware tests (MicroPython): in-memory buses and sockets standing in for hardware,
# and the datasheet examples several tests share.
import socket
import struct

from hal import simtime


def set_now(ms):
    # The virtual clock reads ms since this boot (time.ticks_ms() for the firmware).
    simtime.clock.elapsed = simtime.clock.boot_ms + ms


def now():
    return simtime.clock.elapsed - simtime.clock.boot_ms



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
        self.writes = []  # each write's bytes, one entry per call
        self.closed = False

    def write(self, data):
        if self.closed:
            raise OSError(9)
        self.sent += data
        self.writes.append(bytes(data))
        return len(data)

    def read(self, n):
        out = bytes(self.incoming[:n])
        self.incoming = self.incoming[n:]
        return out

    def readinto(self, buf):
        n = min(len(buf), len(self.incoming))
        buf[:n] = self.incoming[:n]
        self.incoming = self.incoming[n:]
        return n  # 0: the peer closed the connection

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


class BrokerSocket(MemorySocket):
    # An in-memory stream that answers like an MQTT broker: CONNACK (or `refuse` as its return
    # code), PUBACK for QoS 1, PINGRESP; `drop_after` packets in, it closes the connection.
    def __init__(self, refuse=0, drop_after=None):
        super().__init__()
        self.refuse = refuse
        self.drop_after = drop_after
        self.packets = []  # (first byte, body) in order
        self._pending = bytearray()

    def write(self, data):
        if self.closed:
            raise OSError(9)
        self._pending += data
        while len(self._pending) >= 2:
            n, i, shift = 0, 1, 0
            while self._pending[i] & 0x80:
                n |= (self._pending[i] & 0x7F) << shift
                shift += 7
                i += 1
            n |= self._pending[i] << shift
            if len(self._pending) < i + 1 + n:
                break
            first, body = self._pending[0], bytes(self._pending[i + 1:i + 1 + n])
            self._pending = self._pending[i + 1 + n:]
            if self.drop_after is not None and len(self.packets) >= self.drop_after:
                self.closed = True  # the packet never arrives
                raise OSError(104)
            self.packets.append((first, body))
            self._answer(first, body)
        return len(data)

    def _answer(self, first, body):
        kind = first & 0xF0
        if kind == 0x10:
            self.incoming += bytes((0x20, 2, 0, self.refuse))
        elif kind == 0x30 and first & 0x06:
            tl = body[0] << 8 | body[1]
            self.incoming += b"\x40\x02" + body[2 + tl:4 + tl]
        elif kind == 0xC0:
            self.incoming += b"\xd0\x00"

    def publishes(self, suffix=""):
        # -> [(topic, payload, retain, dup)] of the PUBLISH packets whose topic ends with suffix
        out = []
        for first, body in self.packets:
            if first & 0xF0 == 0x30:
                tl = body[0] << 8 | body[1]
                start = 2 + tl + (2 if first & 0x06 else 0)
                topic = body[2:2 + tl].decode()
                if topic.endswith(suffix):
                    out.append((topic, body[start:].decode(), first & 1, bool(first & 0x08)))
        return out


# BMP280 datasheet, section 3.12: calibration words and raw values of the worked example.
EXAMPLE_TP = (27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000)
ADC_T = 519888
ADC_P = 415148
# Humidity words H1..H6 = 75, 362, 0, 313, 50, 30 as the chip packs them at 0xE1..0xE7
H_BYTES = bytes((0x6A, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1E))


def bme280_chip(chip_id, adc_h=None):
    regs = {
        0xD0: bytes((chip_id,)),
        0x88: struct.pack("<HhhHhhhhhhhh", *EXAMPLE_TP) + bytes((0, 75)),
        0xE1: H_BYTES,
        0xF7: struct.pack(">I", ADC_P << 4)[1:] + struct.pack(">I", ADC_T << 4)[1:]
        + (struct.pack(">H", adc_h) if adc_h is not None else b""),
    }
    return RegisterDevice(regs)


# SDS011 control protocol V1.3: commands to all devices (id FF FF), their checksums and replies
SDS_QUERY = bytes.fromhex("aab404000000000000000000000000ffff02ab")
SDS_SLEEP = bytes.fromhex("aab406010000000000000000000000ffff05ab")
SDS_WORK = bytes.fromhex("aab406010100000000000000000000ffff06ab")
SDS_QUERY_MODE = bytes.fromhex("aab402010100000000000000000000ffff02ab")
SDS_DATA = bytes.fromhex("aac0d4043a0aa1601dab")  # the protocol's example: PM2.5 123.6, PM10 261.8


def full_flash():
    # The simulator's flash mounted at /flash (and made the current directory), with a switch for
    # "every write fails with ENOSPC": faults.flash_full. Unmount with os.chdir("/"); os.umount("/flash").
    import os

    from hal import sim
    from hal.simflash import Flash

    class Faults:
        flash_full = False

    faults = Faults()
    os.mount(Flash(os.getcwd(), sim.spend_us, sim.COST_MS, faults), "/flash")
    os.chdir("/flash")
    return faults


def listener():
    # -> (socket, port): a loopback listener (MicroPython sockets have no getsockname)
    import os

    while True:
        port = 20000 + int.from_bytes(os.urandom(2), "little") % 40000
        server = socket.socket()
        try:
            server.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            server.listen(1)
            return server, port
        except OSError:
            server.close()
