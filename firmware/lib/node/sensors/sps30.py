# Sensirion SPS30 particulate matter on I2C (datasheet v1.0, chapter 6). Output format unsigned
# 16-bit integers (firmware 2.0 and later), so no floats: mass concentrations in ug/m3. The fan
# runs only around a sample: start lead_ms before it, stop (idle, fan and laser off) after it.
from micropython import const

from node import clock
from node.sensors import DONE, STALE
from node.sensors.sensirion import ASK, Sensirion, word

_START = const(0x0010)  # argument: output format
_FORMAT_UINT16 = const(0x0500)
_STOP = const(0x0104)  # back to idle
_DATA_READY = const(0x0202)  # 1 = a new result (one a second while measuring)
_READ = const(0x0300)  # 10 words; the first four: PM1.0, PM2.5, PM4.0, PM10 mass concentration
_WARMUP_MS = const(30000)


class SPS30(Sensirion):
    quantities = (("pm1", "µg/m³", 0, 0, 1000), ("pm2_5", "µg/m³", 0, 0, 1000), ("pm4", "µg/m³", 0, 0, 1000),
                  ("pm10", "µg/m³", 0, 0, 1000))
    lead_ms = _WARMUP_MS
    timeout_ms = 1500
    late = STALE

    def __init__(self, bus, cfg):
        super().__init__(bus, cfg)
        self._since = None  # tick the fan started; None while idle
        self.values = [0, 0, 0, 0]

    def init(self):
        self._send(_STOP)  # a known state: idle, whatever ran before a reboot
        self._since = None
        self.ready = True
        return 20

    def start(self):
        self._poll = ASK
        now = clock.ticks()
        if self._since is None:
            self._send(_START, _FORMAT_UINT16)
            self._since = now
        wait = _WARMUP_MS - clock.diff(now, self._since)
        return wait if wait > 20 else 20

    def stop(self):
        if self._since is None:
            return  # resting already
        self._send(_STOP)
        self._since = None

    def poll(self):
        d = self.fetch(_DATA_READY, ready_mask=1, retry_ms=250, read_cmd=_READ, words=4, wait_ms=1)  # 4 of 10 words suffice
        if isinstance(d, int):
            return d
        for i in range(4):
            self.values[i] = word(d, i)
        return DONE
