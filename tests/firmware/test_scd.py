# SCD4x and SCD30 CO2 drivers against datasheet facts (command codes, timings, conversions).
import struct

from node.sensors import DONE, OUT_OF_RANGE, SensorError
from node.sensors import scd30, scd4x
from node.sensors.sensirion import crc8
from support import CommandDevice, MemoryI2C, raises, set_now, words

# SCD4x datasheet, read_measurement example: 500 ppm, 25 degC, 37 %RH
EXAMPLE = words(0x01F4, 0x6667, 0x5EB9)


def with_arg(cmd, arg):
    a = bytes((arg >> 8, arg & 0xFF))
    return bytes((cmd >> 8, cmd & 0xFF)) + a + bytes((crc8(a, 0),))


def scd4x_driver(dev, **options):
    cfg = {"type": "scd4x", "name": "co2", "addr": 0x62, "mode": "periodic", "asc": True, "altitude_m": 0}
    cfg.update(options)
    return scd4x.SCD4X(MemoryI2C({0x62: dev}), cfg)


def init(s):
    waits = []
    while not s.ready:
        waits.append(s.init())
    return waits


def test_scd4x_periodic_start_up():
    set_now(0)
    dev = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": EXAMPLE})
    s = scd4x_driver(dev, asc=False, altitude_m=520)
    assert init(s) == [500, 1, 1, 0]  # stop_periodic_measurement takes 500 ms, the setters 1 ms
    assert dev.writes == [b"\x3f\x86", with_arg(0x2416, 0), with_arg(0x2427, 520), b"\x21\xb1"]
    assert dev.writes[1] == b"\x24\x16\x00\x00\x81"
    set_now(1200)
    assert s.start() == 3800  # the first result comes 5 s after start_periodic_measurement
    set_now(5000)
    assert s.start() == 0


def test_scd4x_reads_when_data_is_ready():
    set_now(0)
    dev = CommandDevice({b"\xe4\xb8": words(0x8000), b"\xec\x05": EXAMPLE})
    s = scd4x_driver(dev)
    init(s)
    set_now(6000)
    s.start()
    assert s.poll() == 1 and dev.writes[-1] == b"\xe4\xb8"  # get_data_ready_status, 1 ms
    assert s.poll() == 1000  # lowest 11 bits 0: no new result yet
    dev.replies[b"\xe4\xb8"] = words(0x8006)
    s.poll()
    assert s.poll() == 1 and dev.writes[-1] == b"\xec\x05"  # read_measurement, 1 ms
    assert s.poll() == DONE
    assert s.values == [500, 2500, 3700]  # -45 + 175 * 26215 / 65535 = 25.0, 100 * 24249 / 65535 = 37.0


def test_scd4x_ambient_pressure_from_the_node():
    set_now(0)
    dev = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": EXAMPLE})
    s = scd4x_driver(dev)
    init(s)
    set_now(6000)
    s.pressure_hpa = 987
    assert s.start() == 1
    assert dev.writes[-1] == with_arg(0xE000, 987)  # set_ambient_pressure in hPa, allowed while measuring
    n = len(dev.writes)
    s.start()
    assert len(dev.writes) == n  # sent again only when it changes


def test_scd41_single_shot():
    set_now(0)
    dev = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": EXAMPLE})
    s = scd4x_driver(dev, mode="single")
    assert s.lead_ms == 5000
    # after power-up the first single shot is read and thrown away
    assert init(s) == [500, 1, 1, 5000, 1, 0]
    assert dev.writes[3:] == [b"\x21\x9d", b"\xec\x05"]
    assert s.start() == 5000 and dev.writes[-1] == b"\x21\x9d"  # measure_single_shot: 5000 ms
    assert s.poll() == 1
    s.poll()
    assert s.poll() == DONE and s.values == [500, 2500, 3700]


def test_f32_to_fixed_point_with_integers():
    # SCD30 interface description, read measurement example: 439 ppm, 27.2 degC, 48.8 %RH
    assert scd30.fixed_from_f32(0x43DB, 0x8C2E, 0) == 439
    assert scd30.fixed_from_f32(0x41D9, 0xE7FF, 2) == 2724  # 27.2383
    assert scd30.fixed_from_f32(0x4243, 0x3A1B, 2) == 4881  # 48.8067
    assert scd30.fixed_from_f32(0xC1D9, 0xE7FF, 2) == -2724
    assert scd30.fixed_from_f32(0, 0, 2) == 0
    for value in (0.005, 0.015, 1.5, 2.5, 400.5, 1e-3, 123456.789, 0.125):
        hi, lo = struct.unpack(">HH", struct.pack(">f", value))
        exact = struct.unpack(">f", struct.pack(">f", value))[0]
        assert scd30.fixed_from_f32(hi, lo, 2) == int(exact * 100 + 0.5), value
    e = raises(SensorError, scd30.fixed_from_f32, 0x7FC0, 0, 0)  # NaN
    assert e.health == OUT_OF_RANGE


def scd30_driver(dev, asc=None):
    return scd30.SCD30(MemoryI2C({0x61: dev}), {"type": "scd30", "name": "scd30", "addr": 0x61, "asc": asc})


def test_scd30_measurement():
    set_now(0)
    data = words(0x43DB, 0x8C2E, 0x41D9, 0xE7FF, 0x4243, 0x3A1B)
    assert data[:6] == bytes((0x43, 0xDB, 0xCB, 0x8C, 0x2E, 0x8F))
    dev = CommandDevice({b"\x02\x02": words(1), b"\x03\x00": data})
    s = scd30_driver(dev)
    assert init(s) == [0]
    assert dev.writes == [b"\x00\x10\x00\x00\x81"]  # continuous measurement, no pressure compensation
    assert s.start() == 2000  # first result after one 2 s interval
    assert s.poll() == 3 and dev.writes[-1] == b"\x02\x02"  # get data ready status
    assert s.poll() == 3 and dev.writes[-1] == b"\x03\x00"  # read measurement
    assert s.poll() == DONE
    assert s.values == [439, 2724, 4881]


def test_scd30_writes_calibration_setting_only_when_it_differs():
    dev = CommandDevice({b"\x53\x06": words(1)})
    s = scd30_driver(dev, asc=True)
    init(s)
    assert dev.writes == [b"\x53\x06", b"\x00\x10\x00\x00\x81"]  # read ASC: already on
    dev = CommandDevice({b"\x53\x06": words(1)})
    s = scd30_driver(dev, asc=False)
    init(s)
    assert dev.writes == [b"\x53\x06", with_arg(0x5306, 0), b"\x00\x10\x00\x00\x81"]
