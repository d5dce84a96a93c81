# Sensirion SCD30 CO2, temperature and humidity on I2C (interface description v1.0, 1.4). It measures
# continuously every 2 s by itself; a sample reads the newest result: three IEEE 754 big-endian
# floats, each as two CRC-protected words. They are turned into fixed point with integers only, so
# an ESP32 (single-precision floats) and the unix port publish the same digits.
from micropython import const

from node import clock
from node.sensors import DONE, OUT_OF_RANGE, STALE, SensorError
from node.sensors.sensirion import ASK, Sensirion, word

_START = const(0x0010)  # continuous measurement; argument: ambient pressure in mbar, 0 = none
_DATA_READY = const(0x0202)  # 1 = a new result
_READ = const(0x0300)  # 6 words: CO2 ppm, T degC, RH %RH
_ASC = const(0x5306)  # read or set automatic self-calibration (stored in the sensor's flash)
_STOP = const(0x0104)  # stop continuous measurement
_READ_MS = const(3)  # between a read command and reading its reply
_PERIOD_MS = const(2000)


def fixed_from_f32(hi, lo, decimals):
    # round(value * 10**decimals) of the float32 with bits hi:lo, half away from zero
    bits = (hi << 16) | lo
    exp = (bits >> 23) & 0xFF
    if exp == 0xFF:
        raise SensorError(OUT_OF_RANGE, "not a number")
    man = bits & 0x7FFFFF
    if exp:
        man |= 0x800000
    else:
        exp = 1  # subnormal
    n = man * 10**decimals
    shift = exp - 150  # value = man * 2**(exp - 127 - 23)
    n = n << shift if shift >= 0 else (n + (1 << (-shift - 1))) >> -shift
    return -n if bits >> 31 else n


class SCD30(Sensirion):
    quantities = (("co2", "ppm", 0, 250, 10000), ("temperature", "°C", 2, -4000, 7000), ("humidity", "%RH", 2, 0, 10000))
    timeout_ms = _PERIOD_MS + 500
    late = STALE

    def __init__(self, bus, cfg):
        super().__init__(bus, cfg)
        self._asc = cfg.get("asc")  # None: leave the sensor's setting alone
        self._since = 0
        self.values = [0, 0, 0]

    def init(self):
        step = self._step
        self._step = step + 1
        if step == 0 and self._asc is not None:
            self._send(_ASC)
            return _READ_MS
        if step == 1 and self._asc is not None:
            if word(self._read(1), 0) != self._asc:  # write only a change: it wears the sensor's flash
                self._send(_ASC, 1 if self._asc else 0)
                return 20
        self._send(_START, 0)
        self._since = clock.ticks()
        self.ready = True
        return 0

    def sleep(self):
        # Before a deep sleep: continuous measurement off; init() starts it again.
        if self.ready:
            self._send(_STOP)
            self.ready = False

    def start(self):
        self._poll = ASK
        wait = _PERIOD_MS - clock.diff(clock.ticks(), self._since)
        return wait if wait > 0 else 0

    def poll(self):
        d = self.fetch(_DATA_READY, ready_mask=1, retry_ms=500, read_cmd=_READ, words=6, wait_ms=_READ_MS)
        if isinstance(d, int):
            return d
        v = self.values
        for i, decimals in ((0, 0), (1, 2), (2, 2)):
            v[i] = fixed_from_f32(word(d, 2 * i), word(d, 2 * i + 1), decimals)
        return DONE
