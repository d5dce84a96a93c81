# Sensirion CRC and the SHT4x/SHT3x driver against datasheet facts.
from node.sensors import ABSENT, CHECKSUM, DONE, SensorError, health_of
from node.sensors import sensirion, sht
from support import CommandDevice, MemoryI2C, raises, words


def test_crc8_datasheet_examples():
    def crc(word):
        return sensirion.crc8(bytes((word >> 8, word & 0xFF)), 0)

    assert crc(0xBEEF) == 0x92  # SHT4x/SHT3x/SCD4x datasheets: CRC-8 of 0xBEEF
    assert crc(0x0000) == 0x81  # SCD30 interface description: start measurement, argument 0
    # SCD30 interface description, read measurement example: 43 DB CB 8C 2E 8F / 41 D9 70 E7 FF F5
    assert (crc(0x43DB), crc(0x8C2E), crc(0x41D9), crc(0xE7FF)) == (0xCB, 0x8F, 0x70, 0xF5)
    # SCD4x datasheet, read_measurement example: 01f4 33, 6667 a2, 5eb9 3c
    assert (crc(0x01F4), crc(0x6667), crc(0x5EB9)) == (0x33, 0xA2, 0x3C)


def test_crc8_of_every_word_is_the_bitwise_crc():
    # the datasheets' definition the table-driven crc8 must keep: polynomial 0x31, initial value
    # 0xFF, most significant bit first, no final XOR
    buf = bytearray(2)
    for word in range(0x10000):
        buf[0], buf[1] = word >> 8, word & 0xFF
        crc = 0xFF
        for b in buf:
            crc ^= b
            for _ in range(8):
                crc = (crc << 1 ^ 0x31) & 0xFF if crc & 0x80 else crc << 1 & 0xFF
        assert sensirion.crc8(buf, 0) == crc, word


def test_conversions():
    assert sht.temperature(0) == -4500 and sht.temperature(65535) == 13000  # -45 .. 130 degC
    assert sht.temperature(26214) == 2500  # -45 + 175 * 26214 / 65535 = 24.9998
    assert sht.humidity_sht3x(0) == 0 and sht.humidity_sht3x(65535) == 10000
    assert sht.humidity_sht3x(32768) == 5000  # 50.0008 %RH
    # SHT4x: -6 + 125 * S / 65535, cropped to 0..100 %RH
    assert sht.humidity_sht4x(0) == 0 and sht.humidity_sht4x(65535) == 10000
    assert sht.humidity_sht4x(32768) == 5650  # 56.5010 %RH


def driver(kind, dev, addr=0x44):
    cfg = {"type": kind, "name": kind, "addr": addr}
    return sht.SHT(MemoryI2C({addr: dev} if dev else {}), cfg)


def test_sht4x_commands_and_reading():
    dev = CommandDevice({b"\x89": words(0x1234, 0x5678), b"\xfd": words(26214, 32768)})
    s = driver("sht4x", dev)
    assert s.init() == 1 and not s.ready
    assert s.init() == 0 and s.ready
    assert s.start() >= 9  # high precision measurement: max 8.3 ms
    assert s.poll() == DONE
    assert dev.writes == [b"\x89", b"\xfd"]  # serial number, measure T and RH with high precision
    assert s.values == [2500, 5650]


def test_sht3x_commands_and_reading():
    dev = CommandDevice({b"\xf3\x2d": words(0x0000), b"\x24\x00": words(26214, 32768)})
    s = driver("sht3x", dev, 0x45)
    s.init()
    s.init()
    assert s.start() >= 15  # single shot, high repeatability: max 15 ms
    assert s.poll() == DONE
    assert dev.writes == [b"\xf3\x2d", b"\x24\x00"]  # status register, single shot without clock stretching
    assert s.values == [2500, 5000]


def test_crc_error_is_reported():
    bad = bytearray(words(26214, 32768))
    bad[5] ^= 0x01
    dev = CommandDevice({b"\x89": words(1, 2), b"\xfd": bytes(bad)})
    s = driver("sht4x", dev)
    s.init()
    s.init()
    s.start()
    e = raises(SensorError, s.poll)
    assert e.health == CHECKSUM and "word 1" in str(e)


def test_absent_sht():
    e = raises(OSError, driver("sht4x", None).init)
    assert health_of(e) == ABSENT
