# Plantower PMS5003 (and the PMSx003 family) particulate matter on a UART, 9600 8N1 (PMS5003 data
# manual 2016, appendix I and II). Passive mode: a frame only on request; asleep (fan off) between
# samples and woken lead_ms before one: the manual asks for 30 s after wake-up before data is stable.
# Commands, 7 bytes: 42 4D <cmd> <data high> <data low> <checksum high> <checksum low>
# Data frame, 32 bytes: 42 4D, frame length 28, 13 data words, checksum word; checksums are the
# 16-bit sum of all bytes before them. Data words 4..6: PM1.0, PM2.5, PM10 in ug/m3 under
# atmospheric environment (words 1..3 are the "CF=1" standard-particle values).
from micropython import const

from node import clock
from node.sensors import CHECKSUM, DONE, SensorError
from node.sensors.uartframe import FrameReader

_H0 = const(0x42)
_H1 = const(0x4D)
_MODE = const(0xE1)  # data 0 = passive, 1 = active
_READ = const(0xE2)  # passive mode: send one data frame
_SLEEP = const(0xE4)  # data 0 = sleep, 1 = wake up
_FRAME = const(32)
_WARMUP_MS = const(30000)
_REPLY_MS = const(45)  # 7 + 32 bytes at 9600 baud take 41 ms

_PASSIVE = const(0)
_REQUEST = const(1)
_RECEIVE = const(2)


class PMS5003:
    BAUD = 9600
    quantities = (("pm1", "µg/m³", 0, 0, 1000), ("pm2_5", "µg/m³", 0, 0, 1000), ("pm10", "µg/m³", 0, 0, 1000))
    lead_ms = _WARMUP_MS
    timeout_ms = 1000

    def __init__(self, uart, cfg):
        self.name = cfg["name"]
        self._uart = uart
        self._rx = FrameReader(uart, 2 * _FRAME)
        self._cmd = bytearray(7)
        self.values = [0, 0, 0]
        self.ready = False
        self._since = None  # tick it was woken; None while asleep
        self._poll = _PASSIVE

    @property
    def late(self):
        return self._rx.late()

    def _send(self, cmd, data):
        c = self._cmd
        c[0] = _H0
        c[1] = _H1
        c[2] = cmd
        c[3] = 0
        c[4] = data
        s = _H0 + _H1 + cmd + data
        c[5] = s >> 8
        c[6] = s & 0xFF
        self._uart.write(c)

    def init(self):
        self._send(_SLEEP, 1)  # wake up; a sensor already awake ignores it
        self._since = clock.ticks()
        self.ready = True
        return 100

    def reset(self):
        self.ready = False

    def start(self):
        self._poll = _PASSIVE
        now = clock.ticks()
        if self._since is None:
            self._send(_SLEEP, 1)
            self._since = now
        wait = _WARMUP_MS - clock.diff(now, self._since)
        return wait if wait > 0 else 0

    def stop(self):
        if self._since is None:
            return  # resting already
        self._send(_SLEEP, 0)
        self._since = None

    def poll(self):
        rx = self._rx
        if self._poll == _PASSIVE:  # again each time: after waking up some units stream again
            rx.flush()
            self._send(_MODE, 0)
            self._poll = _REQUEST
            return 20
        if self._poll == _REQUEST:
            rx.flush()  # the mode reply
            self._send(_READ, 0)
            self._poll = _RECEIVE
            return _REPLY_MS
        b = rx.buf
        while rx.seek(_H0, _H1, 4):
            if (b[2] << 8) | b[3] != _FRAME - 4:
                rx.drop(1)  # not a data frame (a command reply, or noise)
                continue
            if rx.n < _FRAME:
                break
            if rx.sum(0, _FRAME - 2) != (b[30] << 8) | b[31]:
                rx.drop(_FRAME)
                raise SensorError(CHECKSUM, "%s: frame checksum wrong" % self.name)
            for i in range(3):
                self.values[i] = (b[10 + 2 * i] << 8) | b[11 + 2 * i]
            rx.drop(_FRAME)
            rx.heard = True
            return DONE
        return 20
