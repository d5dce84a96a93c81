# Sensirion I2C framing shared by SHT4x, SHT3x, SCD4x, SCD30 and SPS30: 16-bit commands, optional
# 16-bit argument, and every 16-bit data word in either direction followed by a CRC-8 (polynomial
# 0x31, init 0xFF, no reflection; the datasheets' example: CRC of 0xBEEF is 0x92).
from micropython import const

from node.sensors import CHECKSUM, SensorError

# steps of Sensirion.fetch()
ASK = const(0)
CHECK = const(1)
FETCH = const(2)


# _NIBBLE[n]: the CRC-8 (polynomial 0x31) of the nibble n followed by four zero bits. A byte takes
# two lookups instead of eight shifts: every word a Sensirion sensor sends is checked
_NIBBLE = b"\x00\x31\x62\x53\xc4\xf5\xa6\x97\xb9\x88\xdb\xea\x7d\x4c\x1f\x2e"


def crc8(buf, i):
    # CRC of the word buf[i], buf[i + 1] (initial value 0xFF)
    t = _NIBBLE
    c = buf[i] ^ 0xFF
    c = (c << 4 & 0xFF) ^ t[c >> 4]
    c = (c << 4 & 0xFF) ^ t[c >> 4] ^ buf[i + 1]
    c = (c << 4 & 0xFF) ^ t[c >> 4]
    return (c << 4 & 0xFF) ^ t[c >> 4]


def word(buf, i):
    # the i-th data word of a reply (3 bytes per word: MSB, LSB, CRC)
    return (buf[3 * i] << 8) | buf[3 * i + 1]


def scale(raw, span):
    # round(span * raw / 65535) in integers: the T and RH conversions of SHT4x, SHT3x and SCD4x
    return (raw * span * 2 + 65535) // 131070


# One command buffer and one reply buffer for all Sensirion drivers: sensors are stepped one at a
# time and every reply is converted before the step ends. Views of the sizes in use are made once.
_CMD = bytearray(5)  # command, argument, argument CRC
_REPLY = bytearray(18)  # the longest reply read: SCD30, 6 words
_cmd_views = {}
_reply_views = {}


def _view(views, buf, n):
    v = views.get(n)
    if v is None:
        v = views[n] = memoryview(buf)[:n]
    return v


def command(n):
    # the first n bytes of the shared command buffer
    return _view(_cmd_views, _CMD, n)


class Sensirion:
    lead_ms = 0
    timeout_ms = 50

    def __init__(self, bus, cfg):
        self.name = cfg["name"]
        self._bus = bus
        self._addr = cfg["addr"]
        self.ready = False
        self._step = 0  # init() step
        self._poll = ASK  # fetch() step

    def reset(self):
        self.ready = False
        self._step = 0

    def fetch(self, ready_cmd, ready_mask, retry_ms, read_cmd, words, wait_ms):
        # One step of "is a result ready? then read it" (SCD4x, SCD30, SPS30): send ready_cmd; its
        # reply word & ready_mask says ready (else ask again after retry_ms); then send read_cmd and
        # read `words` words. -> ms to wait before the next step (wait_ms after each command), or
        # the reply buffer once the result is read.
        step = self._poll
        if step == ASK:
            self._send(ready_cmd)
            self._poll = CHECK
            return wait_ms
        if step == CHECK:
            if not word(self._read(1), 0) & ready_mask:
                self._poll = ASK
                return retry_ms
            self._send(read_cmd)
            self._poll = FETCH
            return wait_ms
        self._poll = ASK
        return self._read(words)

    def _send(self, cmd, arg=None):
        c = _CMD
        c[0] = cmd >> 8
        c[1] = cmd & 0xFF
        if arg is None:
            self._bus.writeto(self._addr, command(2))
            return
        c[2] = arg >> 8
        c[3] = arg & 0xFF
        c[4] = crc8(c, 2)
        self._bus.writeto(self._addr, c)

    def _read(self, words):
        # -> the reply of that many words, CRCs checked; valid until the next _read() of any driver
        buf = _view(_reply_views, _REPLY, 3 * words)
        self._bus.readfrom_into(self._addr, buf)
        for i in range(0, 3 * words, 3):
            if crc8(buf, i) != buf[i + 2]:
                raise SensorError(CHECKSUM, "%s: CRC error in word %d" % (self.name, i // 3))
        return buf
