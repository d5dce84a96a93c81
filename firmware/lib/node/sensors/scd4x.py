# Sensirion SCD4x (SCD40, SCD41) CO2, temperature and humidity on I2C (datasheet v1.3, chapter 3).
# Periodic mode: the sensor measures every 5 s by itself; a sample reads the newest result.
# Single-shot mode (SCD41 only): each sample triggers one 5 s measurement, idle in between.
# Pressure compensation: the app hands in the ambient pressure from a pressure sensor on the node
# (pressure_hpa); without one the configured altitude is used.
from micropython import const

from node import clock
from node.sensors import DONE, STALE, TIMEOUT
from node.sensors.sensirion import ASK, Sensirion, scale, word

_START_PERIODIC = const(0x21B1)  # first result after 5 s
_READ = const(0xEC05)  # CO2, T, RH; 1 ms
_STOP = const(0x3F86)  # back to idle; 500 ms
_DATA_READY = const(0xE4B8)  # 1 ms; the lowest 11 bits are 0 while no new result is ready
_SET_ASC = const(0x2416)  # idle only; 1 ms
_SET_ALTITUDE = const(0x2427)  # metres, idle only; 1 ms
_SET_PRESSURE = const(0xE000)  # hPa (Pa / 100), also while measuring; 1 ms
_SINGLE_SHOT = const(0x219D)  # SCD41, idle only; 5000 ms

_MEASURE_MS = const(5000)

_SHOT = const(3)  # poll() step before Sensirion.fetch()'s: trigger a single shot


class SCD4X(Sensirion):
    quantities = (("co2", "ppm", 0, 250, 40000), ("temperature", "°C", 2, -1000, 6000), ("humidity", "%RH", 2, 0, 10000))

    def __init__(self, bus, cfg):
        super().__init__(bus, cfg)
        self._single = cfg["mode"] == "single"
        self._asc = 1 if cfg["asc"] else 0
        self._altitude = cfg["altitude_m"]
        self.lead_ms = _MEASURE_MS if self._single else 0
        # periodic: a result may be up to one period away when sampling as fast as the sensor
        self.timeout_ms = 1000 if self._single else _MEASURE_MS + 500
        self.late = TIMEOUT if self._single else STALE
        self.pressure_hpa = 0  # set by the app; 0 = none known
        self._sent_hpa = 0
        self._since = 0  # tick when periodic measurement started
        self.values = [0, 0, 0]

    def init(self):
        step = self._step
        self._step = step + 1
        if step == 0:
            self._send(_STOP)  # after a soft reboot it may still be measuring
            return 500
        if step == 1:
            self._send(_SET_ASC, self._asc)
            return 1
        if step == 2:
            self._send(_SET_ALTITUDE, self._altitude)
            return 1
        if self._single:
            # 3.10: after power-up the first single shot is to be discarded
            if step == 3:
                self._send(_SINGLE_SHOT)
                return _MEASURE_MS
            if step == 4:
                self._send(_READ)
                return 1
            self._read(3)
        else:
            self._send(_START_PERIODIC)
            self._since = clock.ticks()
        self._sent_hpa = 0
        self.ready = True
        return 0

    def sleep(self):
        # Before a deep sleep: periodic measurement off (it draws about 15 mA); init() starts it again.
        if not self._single and self.ready:
            self._send(_STOP)
            self.ready = False

    def start(self):
        self._poll = _SHOT if self._single else ASK
        wait = 0 if self._single else _MEASURE_MS - clock.diff(clock.ticks(), self._since)
        p = self.pressure_hpa
        if p and p != self._sent_hpa:
            self._send(_SET_PRESSURE, p)
            self._sent_hpa = p
            return wait if wait > 1 else 1
        if self._single:
            return self.poll()
        return wait if wait > 0 else 0

    def poll(self):
        if self._poll == _SHOT:
            self._send(_SINGLE_SHOT)
            self._poll = ASK
            return _MEASURE_MS
        d = self.fetch(_DATA_READY, ready_mask=0x07FF, retry_ms=1000, read_cmd=_READ, words=3, wait_ms=1)
        if isinstance(d, int):
            return d
        v = self.values
        v[0] = word(d, 0)
        v[1] = scale(word(d, 1), 17500) - 4500  # -45 + 175 * S / 65535 degC
        v[2] = scale(word(d, 2), 10000)  # 100 * S / 65535 %RH
        self._poll = _SHOT if self._single else ASK
        return DONE
