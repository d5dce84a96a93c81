# BME280/BMP280 driver against datasheet facts, on an in-memory register file.
import struct

from node.sensors import ABSENT, DONE, WRONG_CHIP, SensorError, health_of
from node.sensors import bme280
from support import ADC_P, ADC_T, EXAMPLE_TP, H_BYTES, MemoryI2C, bme280_chip as chip, raises

def driver(kind, dev, addr=0x76, over=None):
    cfg = {"type": kind, "name": kind, "addr": addr,
           "oversampling": over or {"temperature": 1, "pressure": 1, "humidity": 1}}
    return bme280.BME280(MemoryI2C({0x76: dev} if dev else {}), cfg)


def test_datasheet_worked_example():
    c = bme280.parse_calibration(struct.pack("<HhhHhhhhhhhh", *EXAMPLE_TP) + bytes(2))
    t, t_fine = bme280.compensate_t(c, ADC_T)
    assert t_fine == 128422  # datasheet: t_fine = 128422
    assert t == 2508  # 25.08 degC
    p = bme280.compensate_p(c, ADC_P, t_fine)
    assert (p + 128) >> 8 == 100653  # 100653.27 Pa in the datasheet's table


def test_bmp280_reads_the_example_through_the_bus():
    dev = chip(0x58)
    s = driver("bmp280", dev)
    assert s.init() == 0
    assert s.ready
    assert (0xF5, b"\x00") in dev.writes  # IIR filter off
    assert s.start() == 7  # 1.25 + 2.3 + 2.875 ms, rounded up
    assert dev.writes[-1] == (0xF4, bytes((0x25,)))  # osrs_t x1, osrs_p x1, forced mode
    assert s.poll() == DONE
    assert s.values == [2508, 100653]
    assert [q[0] for q in s.quantities] == ["temperature", "pressure"]


def test_bme280_humidity_and_oversampling_registers():
    dev = chip(0x60, adc_h=0x6000)
    s = driver("bme280", dev, over={"temperature": 16, "pressure": 2, "humidity": 4})
    s.init()
    assert (0xF2, bytes((3,))) in dev.writes  # ctrl_hum: osrs_h x4 = 0b011
    assert s.start() == 53  # 1.25 + 2.3*16 + (2.3*2 + 0.575) + (2.3*4 + 0.575) = 53.0 ms
    assert dev.writes[-1] == (0xF4, bytes(((5 << 5) | (2 << 2) | 1,)))
    assert s.poll() == DONE
    c = bme280.parse_calibration(dev.regs[0x88:0x88 + 26], H_BYTES)
    assert c[12:] == (75, 362, 0, 313, 50, 30)
    h = bme280.compensate_h(c, 0x6000, 128422)
    assert s.values[2] == (h * 100 + 512) >> 10
    assert 0 <= s.values[2] <= 10000


def test_signed_12_bit_humidity_words():
    # H4 = -5 and H5 = -300 as 12-bit two's complement split over E4/E5/E6
    h = bytes((0, 0, 0, 0xFF, 0x4B, 0xED, 0))
    c = bme280.parse_calibration(bytes(26), h)
    assert c[15] == -5 and c[16] == -300


def test_measuring_bit_means_not_ready():
    dev = chip(0x60, adc_h=0x6000)
    s = driver("bme280", dev)
    s.init()
    s.start()
    dev.regs[0xF3] = 0x08
    assert s.poll() == 2  # look again in 2 ms
    dev.regs[0xF3] = 0x00
    assert s.poll() == DONE


def test_wrong_chip_names_the_id_found():
    e = raises(SensorError, driver("bme280", chip(0x58)).init)
    assert e.health == WRONG_CHIP
    assert "0x58" in str(e) and "bmp280" in str(e)  # a BMP280 sold as BME280: say so
    e = raises(SensorError, driver("bme280", chip(0x55)).init)
    assert "0x55" in str(e) and "0x60" in str(e)


def test_missing_chip_is_absent():
    e = raises(OSError, driver("bme280", None).init)
    assert health_of(e) == ABSENT
