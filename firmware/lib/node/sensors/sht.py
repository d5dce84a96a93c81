# Sensirion SHT4x and SHT3x temperature/humidity on I2C, one single-shot measurement per sample.
# Conversions (SHT4x datasheet 4.6, SHT3x-DIS 4.13): T = -45 + 175 * S / 65535 degC for both,
# RH = -6 + 125 * S / 65535 %RH cropped to 0..100 (SHT4x), RH = 100 * S / 65535 %RH (SHT3x).
from micropython import const

from node.sensors import DONE, TIMEOUT
from node.sensors.sensirion import Sensirion, command, scale, word

_SHT4X_MEASURE = const(0xFD)  # T and RH, high precision, max 8.3 ms
_SHT4X_SERIAL = const(0x89)  # two words
_SHT3X_MEASURE = const(0x2400)  # single shot, high repeatability, no clock stretching, max 15 ms
_SHT3X_STATUS = const(0xF32D)  # one word


def temperature(raw):
    return scale(raw, 17500) - 4500  # 0.01 degC


def humidity_sht4x(raw):
    h = scale(raw, 12500) - 600  # 0.01 %RH
    return 0 if h < 0 else 10000 if h > 10000 else h


def humidity_sht3x(raw):
    return scale(raw, 10000)


class SHT(Sensirion):
    quantities = (("temperature", "°C", 2, -4000, 12500), ("humidity", "%RH", 2, 0, 10000))
    late = TIMEOUT

    def __init__(self, bus, cfg):
        super().__init__(bus, cfg)
        self._sht3x = cfg["type"] == "sht3x"
        self.values = [0, 0]
        self._asked = False

    def _command(self, cmd):
        if self._sht3x:
            self._send(cmd)
        else:  # SHT4x commands are one byte
            c = command(1)
            c[0] = cmd
            self._bus.writeto(self._addr, c)

    def init(self):
        # Read the serial number (SHT4x) or the status register (SHT3x): the chip answers, CRCs hold.
        if not self._asked:
            self._command(_SHT3X_STATUS if self._sht3x else _SHT4X_SERIAL)
            self._asked = True
            return 1
        self._read(1 if self._sht3x else 2)
        self.ready = True
        return 0

    def reset(self):
        self.ready = False
        self._asked = False

    def start(self):
        self._command(_SHT3X_MEASURE if self._sht3x else _SHT4X_MEASURE)
        return 16 if self._sht3x else 9

    def poll(self):
        d = self._read(2)
        self.values[0] = temperature(word(d, 0))
        self.values[1] = (humidity_sht3x if self._sht3x else humidity_sht4x)(word(d, 1))
        return DONE
