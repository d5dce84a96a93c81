# Nova Fitness SDS011 particulate matter on a UART, 9600 8N1 (laser dust sensor control protocol
# V1.3). Query mode: the sensor answers only when asked, and sleeps (fan and laser off) between
# samples; it is woken lead_ms before a sample because readings need 30 s of airflow.
# Commands, 19 bytes: AA B4 <cmd> <data 1..13> <device id FF FF = all> <checksum> AB
# Replies, 10 bytes:  AA <C0 data | C5 command reply> <data 1..6> <checksum> AB
# Checksums are the low byte of the sum of the data bytes (command: bytes 2..16, reply: 2..7).
from micropython import const

from node import clock
from node.sensors import CHECKSUM, DONE, SensorError
from node.sensors.uartframe import FrameReader

_HEAD = const(0xAA)
_TAIL = const(0xAB)
_DATA = const(0xC0)
_REPORT_MODE = const(2)  # data 1 = set, data 2: 1 = query mode
_QUERY = const(4)
_SLEEP_WORK = const(6)  # data 1 = set, data 2: 0 = sleep, 1 = work
_WARMUP_MS = const(30000)
_REPLY_MS = const(40)  # 19 + 10 bytes at 9600 baud take 30 ms


class SDS011:
    BAUD = 9600
    quantities = (("pm2_5", "µg/m³", 1, 0, 9999), ("pm10", "µg/m³", 1, 0, 9999))
    lead_ms = _WARMUP_MS
    timeout_ms = 1000

    def __init__(self, uart, cfg):
        self.name = cfg["name"]
        self._uart = uart
        self._rx = FrameReader(uart, 32)
        self._cmd = bytearray(19)
        self.values = [0, 0]
        self.ready = False
        self._step = 0
        self._since = None  # tick it was woken; None while asleep
        self._asked = False

    @property
    def late(self):
        return self._rx.late()

    def _send(self, cmd, set_, value):
        c = self._cmd
        c[0] = _HEAD
        c[1] = 0xB4
        c[2] = cmd
        c[3] = set_
        c[4] = value
        for i in range(5, 15):
            c[i] = 0
        c[15] = c[16] = 0xFF
        s = 0
        for i in range(2, 17):
            s += c[i]
        c[17] = s & 0xFF
        c[18] = _TAIL
        self._uart.write(c)

    def init(self):
        if not self._step:  # wake first: a sleeping SDS011 ignores every other command
            self._send(_SLEEP_WORK, 1, 1)
            self._since = clock.ticks()
            self._step = 1
            return 100
        self._send(_REPORT_MODE, 1, 1)
        self.ready = True
        return 0

    def reset(self):
        self.ready = False
        self._step = 0

    def start(self):
        self._asked = False
        now = clock.ticks()
        if self._since is None:
            self._send(_SLEEP_WORK, 1, 1)
            self._since = now
        wait = _WARMUP_MS - clock.diff(now, self._since)
        return wait if wait > 0 else 0

    def stop(self):
        if self._since is None:
            return  # resting already
        self._send(_SLEEP_WORK, 1, 0)
        self._since = None

    def poll(self):
        rx = self._rx
        if not self._asked:
            rx.flush()
            self._send(_QUERY, 0, 0)
            self._asked = True
            return _REPLY_MS
        b = rx.buf
        while rx.seek(_HEAD, _DATA, 10):
            if b[9] != _TAIL:
                rx.drop(1)  # a header-like pair inside noise
                continue
            if rx.sum(2, 8) & 0xFF != b[8]:
                rx.drop(10)
                raise SensorError(CHECKSUM, "%s: frame checksum wrong" % self.name)
            self.values[0] = b[2] | (b[3] << 8)  # 0.1 ug/m3
            self.values[1] = b[4] | (b[5] << 8)
            rx.drop(10)
            rx.heard = True
            return DONE
        return 20
