# Bosch BME280 (temperature, pressure, humidity) and BMP280 (no humidity) on I2C, forced mode.
# Compensation uses the datasheets' integer formulas (BME280 datasheet 4.2.3 and 8.2, BMP280 3.11.3
# and 8.2): int32 for temperature and humidity, int64 for pressure. Integers make the ESP32
# (single-precision floats) and the unix port (double) publish the very same values.
from micropython import const
import struct

from node.sensors import DONE, TIMEOUT, WRONG_CHIP, SensorError

_REG_ID = const(0xD0)
_REG_CALIB_TP = const(0x88)  # 0x88..0xA1: dig_T1..dig_P9, a reserved byte, dig_H1
_REG_CALIB_H = const(0xE1)  # 0xE1..0xE7: dig_H2..dig_H6, H4 and H5 packed in 12 bits
_REG_CTRL_HUM = const(0xF2)
_REG_STATUS = const(0xF3)
_REG_CTRL_MEAS = const(0xF4)
_REG_CONFIG = const(0xF5)
_REG_DATA = const(0xF7)  # press[3], temp[3], hum[2], each MSB first, 20 bits (16 for humidity)

_STATUS_MEASURING = const(0x08)
_MODE_FORCED = const(0x01)

CHIP_IDS = {"bme280": 0x60, "bmp280": 0x58}
# Oversampling factor -> register code (datasheet table 20/23/24)
_OSRS = {1: 1, 2: 2, 4: 3, 8: 4, 16: 5}


def compensate_t(c, adc_t):
    # -> (temperature in 0.01 degC, t_fine); c is the calibration tuple from parse_calibration().
    t1, t2, t3 = c[0], c[1], c[2]
    var1 = (((adc_t >> 3) - (t1 << 1)) * t2) >> 11
    var2 = (((((adc_t >> 4) - t1) * ((adc_t >> 4) - t1)) >> 12) * t3) >> 14
    t_fine = var1 + var2
    return (t_fine * 5 + 128) >> 8, t_fine


def _cdiv(a, b):
    # C integer division truncates toward zero; Python's // floors.
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def compensate_p(c, adc_p, t_fine):
    # -> pressure in Pa, Q24.8 (1/256 Pa)
    p1, p2, p3, p4, p5, p6, p7, p8, p9 = c[3:12]
    var1 = t_fine - 128000
    var2 = var1 * var1 * p6
    var2 = var2 + ((var1 * p5) << 17)
    var2 = var2 + (p4 << 35)
    var1 = ((var1 * var1 * p3) >> 8) + ((var1 * p2) << 12)
    var1 = (((1 << 47) + var1) * p1) >> 33
    if var1 == 0:
        return 0  # as the datasheet: avoid a division by zero
    p = 1048576 - adc_p
    p = _cdiv(((p << 31) - var2) * 3125, var1)
    var1 = (p9 * (p >> 13) * (p >> 13)) >> 25
    var2 = (p8 * p) >> 19
    return ((p + var1 + var2) >> 8) + (p7 << 4)


def compensate_h(c, adc_h, t_fine):
    # -> relative humidity in %, Q22.10 (1/1024 %RH)
    h1, h2, h3, h4, h5, h6 = c[12:18]
    v = t_fine - 76800
    v = ((((adc_h << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15) * (
        ((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14
    )
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4)
    v = 0 if v < 0 else v
    v = 419430400 if v > 419430400 else v
    return v >> 12


def parse_calibration(tp, h=None):
    # tp: 26 bytes from 0x88, h: 7 bytes from 0xE1 (BME280 only) -> tuple T1..T3, P1..P9, H1..H6
    c = struct.unpack_from("<HhhHhhhhhhhh", tp)
    if h is None:
        return c + (0, 0, 0, 0, 0, 0)
    e4, e5, e6 = h[3], h[4], h[5]
    h4 = ((e4 - 256 if e4 > 127 else e4) << 4) | (e5 & 0x0F)
    h5 = ((e6 - 256 if e6 > 127 else e6) << 4) | (e5 >> 4)
    h6 = h[6] - 256 if h[6] > 127 else h[6]
    return c + (tp[25], struct.unpack("<h", h[0:2])[0], h[2], h4, h5, h6)


def measure_time_us(os_t, os_p, os_h):
    # Maximum measurement time, datasheet 9.1 (BME280) / 3.8.1 (BMP280); 0 = quantity skipped.
    t = 1250 + 2300 * os_t
    if os_p:
        t += 2300 * os_p + 575
    if os_h:
        t += 2300 * os_h + 575
    return t


class BME280:
    lead_ms = 0
    timeout_ms = 50
    late = TIMEOUT

    def __init__(self, bus, cfg):
        self.name = cfg["name"]
        self.kind = cfg["type"]
        self._bus = bus
        self._addr = cfg["addr"]
        over = cfg["oversampling"]
        self._humid = self.kind == "bme280"
        # name, unit, decimals, and the measuring range (datasheet 1: -40..85 degC, 300..1100 hPa)
        self.quantities = (("temperature", "°C", 2, -4000, 8500), ("pressure", "hPa", 2, 30000, 110000)) + (
            (("humidity", "%RH", 2, 0, 10000),) if self._humid else ()
        )
        self.values = [0] * len(self.quantities)  # integers in units of 10**-decimals
        self._ctrl_hum = _OSRS[over["humidity"]] if self._humid else 0
        self._ctrl_meas = (_OSRS[over["temperature"]] << 5) | (_OSRS[over["pressure"]] << 2) | _MODE_FORCED
        self._wait_ms = (measure_time_us(over["temperature"], over["pressure"], over["humidity"] if self._humid else 0) + 999) // 1000
        self._calib = None
        self._reg = bytearray(1)
        self._data = bytearray(8 if self._humid else 6)

    def init(self):
        # Check the chip id, read the calibration and leave the chip in sleep mode.
        self._bus.readfrom_mem_into(self._addr, _REG_ID, self._reg)
        found = self._reg[0]
        if found != CHIP_IDS[self.kind]:
            other = [k for k in CHIP_IDS if CHIP_IDS[k] == found]
            hint = ("; this is a %s: set type to %s" % (other[0].upper(), other[0])) if other else ""
            raise SensorError(
                WRONG_CHIP,
                "%s at 0x%02x: chip id 0x%02x, expected 0x%02x%s" % (self.name, self._addr, found, CHIP_IDS[self.kind], hint),
            )
        tp = bytearray(26)
        self._bus.readfrom_mem_into(self._addr, _REG_CALIB_TP, tp)
        h = None
        if self._humid:
            h = bytearray(7)
            self._bus.readfrom_mem_into(self._addr, _REG_CALIB_H, h)
        self._calib = parse_calibration(tp, h)
        self._write(_REG_CONFIG, 0)  # IIR filter off: the pipeline filters, forced mode needs no standby
        if self._humid:
            self._write(_REG_CTRL_HUM, self._ctrl_hum)  # takes effect with the next ctrl_meas write
        return 0

    @property
    def ready(self):
        return self._calib is not None

    def reset(self):
        # Forget the chip after a failure so the next cycle checks its id again.
        self._calib = None

    def start(self):
        # One forced measurement; returns how many ms to wait before poll().
        self._write(_REG_CTRL_MEAS, self._ctrl_meas)
        return self._wait_ms

    def poll(self):
        # DONE once the measurement is read into self.values; while the chip is busy, look again soon.
        self._bus.readfrom_mem_into(self._addr, _REG_STATUS, self._reg)
        if self._reg[0] & _STATUS_MEASURING:
            return 2
        d = self._data
        self._bus.readfrom_mem_into(self._addr, _REG_DATA, d)
        adc_p = (d[0] << 12) | (d[1] << 4) | (d[2] >> 4)
        adc_t = (d[3] << 12) | (d[4] << 4) | (d[5] >> 4)
        c = self._calib
        t, t_fine = compensate_t(c, adc_t)
        v = self.values
        v[0] = t
        v[1] = (compensate_p(c, adc_p, t_fine) + 128) >> 8  # Pa == hPa with two decimals
        if self._humid:
            h = compensate_h(c, (d[6] << 8) | d[7], t_fine)
            v[2] = (h * 100 + 512) >> 10  # %RH with two decimals, rounded
        return DONE

    def _write(self, reg, value):
        self._reg[0] = value
        self._bus.writeto_mem(self._addr, reg, self._reg)
