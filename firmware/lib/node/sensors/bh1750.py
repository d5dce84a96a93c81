# ROHM BH1750FVI ambient light on I2C (datasheet 2011.11, pages 5 and 7). One-time H-resolution
# measurements: the chip powers down by itself after each. lx = count / 1.2 at the default MTreg.
from micropython import const

from node.sensors import DONE, TIMEOUT

_POWER_ON = const(0x01)
_ONE_TIME_H = const(0x20)  # 1 lx resolution, max 180 ms
_MEASURE_MS = const(180)


def lux_tenths(count):
    # count / 1.2 lx in 0.1 lx = count * 25 / 3, rounded half up
    return (count * 50 + 3) // 6


class BH1750:
    quantities = (("illuminance", "lx", 1, 0, 546125),)
    lead_ms = 0
    timeout_ms = 50
    late = TIMEOUT

    def __init__(self, bus, cfg):
        self.name = cfg["name"]
        self._bus = bus
        self._addr = cfg["addr"]
        self._cmd = bytearray(1)
        self._data = bytearray(2)
        self.values = [0]
        self.ready = False

    def _send(self, cmd):
        self._cmd[0] = cmd
        self._bus.writeto(self._addr, self._cmd)

    def init(self):
        self._send(_POWER_ON)
        self.ready = True
        return 0

    def reset(self):
        self.ready = False

    def start(self):
        self._send(_ONE_TIME_H)
        return _MEASURE_MS

    def poll(self):
        d = self._data
        self._bus.readfrom_into(self._addr, d)
        self.values[0] = lux_tenths((d[0] << 8) | d[1])
        return DONE
