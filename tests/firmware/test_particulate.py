# Particulate matter drivers (SPS30 on I2C, SDS011 and PMS5003 on a UART) and the BH1750 light
# sensor against datasheet facts: command bytes, frame layouts, checksums, warm-up.
from node.sensors import ABSENT, CHECKSUM, DONE, STALE, SensorError
from node.sensors import bh1750, pms5003, sds011, sps30
from support import SDS_DATA, SDS_QUERY, SDS_QUERY_MODE, SDS_SLEEP, SDS_WORK, CommandDevice, MemoryI2C, MemoryUART, raises, words, set_now



def test_sps30_uint16_measurement_with_fan_rest():
    set_now(0)
    # mass PM1.0, PM2.5, PM4.0, PM10, then number concentrations and typical size
    data = words(7, 12, 14, 16, 50, 60, 62, 63, 63, 540)
    dev = CommandDevice({b"\x02\x02": words(1), b"\x03\x00": data})
    s = sps30.SPS30(MemoryI2C({0x69: dev}), {"type": "sps30", "name": "pm", "addr": 0x69})
    assert s.init() == 20 and s.ready
    assert dev.writes == [b"\x01\x04"]  # stop measurement: idle, whatever ran before
    assert s.start() == 30000  # particulate readings only after 30 s of airflow
    assert dev.writes[-1] == b"\x00\x10\x05\x00\xf6"  # start measurement, unsigned 16-bit output
    set_now(30000)
    assert s.start() == 20 and len(dev.writes) == 2  # already running: no second start
    s.poll()
    assert dev.writes[-1] == b"\x02\x02"  # read data-ready flag
    s.poll()
    assert dev.writes[-1] == b"\x03\x00"  # read measured values
    assert s.poll() == DONE
    assert s.values == [7, 12, 14, 16]
    s.stop()
    assert dev.writes[-1] == b"\x01\x04"
    set_now(60000)
    assert s.start() == 30000  # woken again: another 30 s


def test_bh1750_datasheet_example():
    # datasheet p.7: high byte 1000_0011, low byte 1001_0000 -> 33680 / 1.2 = 28067 lx
    dev = CommandDevice({b"\x20": b"\x83\x90"})
    s = bh1750.BH1750(MemoryI2C({0x23: dev}), {"type": "bh1750", "name": "light", "addr": 0x23})
    assert s.init() == 0
    assert s.start() == 180  # one-time H-resolution mode: max 180 ms
    assert s.poll() == DONE
    assert dev.writes == [b"\x01", b"\x20"]  # power on, one-time H-resolution mode
    assert s.values == [280667]  # 28066.7 lx
    assert bh1750.lux_tenths(1) == 8 and bh1750.lux_tenths(65535) == 546125


def sds(uart):
    return sds011.SDS011(uart, {"type": "sds011", "name": "sds"})


def sds_sample(s):
    s.start()
    wait = s.poll()
    while wait != DONE:
        wait = s.poll()
    return s.values


def test_sds011_query_mode_and_sleep():
    set_now(0)
    uart = MemoryUART({SDS_QUERY: SDS_DATA})
    s = sds(uart)
    assert s.init() == 100 and s.init() == 0 and s.ready
    assert uart.written == [SDS_WORK, SDS_QUERY_MODE]  # wake first: asleep it ignores everything else
    assert s.start() == 30000
    set_now(30000)
    assert s.start() == 0
    assert s.poll() == 40 and uart.written[-1] == SDS_QUERY
    assert s.poll() == DONE
    assert s.values == [1236, 2618]
    s.stop()
    assert uart.written[-1] == SDS_SLEEP
    set_now(60000)
    assert s.start() == 30000 and uart.written[-1] == SDS_WORK


def test_sds011_finds_its_frame_in_noise():
    set_now(0)
    noise = bytes.fromhex("00aa13ab") + bytes.fromhex("aac5060100 00a160 08ab".replace(" ", ""))  # a command reply
    uart = MemoryUART({SDS_QUERY: noise + SDS_DATA[:6]})
    s = sds(uart)
    s.init()
    s.init()
    set_now(30000)
    s.start()
    s.poll()
    assert s.poll() == 20  # half a frame so far
    uart.incoming += SDS_DATA[6:]
    assert s.poll() == DONE and s.values == [1236, 2618]


def test_sds011_checksum_and_silence():
    set_now(0)
    bad = bytearray(SDS_DATA)
    bad[8] ^= 0xFF
    uart = MemoryUART({SDS_QUERY: bytes(bad)})
    s = sds(uart)
    s.init()
    s.init()
    s.start()
    s.poll()
    assert s.late == ABSENT  # not a single frame yet: wiring or power
    e = raises(SensorError, s.poll)
    assert e.health == CHECKSUM
    uart.replies[SDS_QUERY] = SDS_DATA
    sds_sample(s)
    uart.replies[SDS_QUERY] = b""
    s.start()
    s.poll()
    assert s.poll() == 20
    assert s.late == STALE  # it worked before and went silent
    uart.replies[SDS_QUERY] = b"\x01\x02\x03"
    s.start()
    s.poll()
    s.poll()
    assert s.late == CHECKSUM  # bytes, but never a frame


# PMS5003 data manual, appendix II: 42 4D <cmd> <data high> <data low> <sum high> <sum low>
PMS_PASSIVE = bytes.fromhex("424de100000170")
PMS_READ = bytes.fromhex("424de200000171")
PMS_SLEEP = bytes.fromhex("424de400000173")
PMS_WAKE = bytes.fromhex("424de400010174")


def pms_frame(values):
    body = bytearray(b"\x42\x4d\x00\x1c")  # frame length 2 * 13 + 2 = 28
    for v in values:
        body += bytes((v >> 8, v & 0xFF))
    total = sum(body)
    return bytes(body + bytes((total >> 8, total & 0xFF)))


def test_pms5003_passive_mode_frame():
    set_now(0)
    # CF=1 PM1.0/2.5/10, atmospheric PM1.0/2.5/10, six particle counts, reserved
    frame = pms_frame([11, 17, 20, 10, 15, 19, 2400, 700, 120, 12, 3, 1, 0])
    assert len(frame) == 32
    mode_reply = bytes.fromhex("424d0004e1000174")
    uart = MemoryUART({PMS_PASSIVE: mode_reply, PMS_READ: frame})
    s = pms5003.PMS5003(uart, {"type": "pms5003", "name": "pms"})
    assert s.init() == 100 and uart.written == [PMS_WAKE]
    assert s.start() == 30000  # stable data 30 s after waking up
    set_now(30000)
    assert s.start() == 0
    s.poll()
    s.poll()
    assert uart.written[-2:] == [PMS_PASSIVE, PMS_READ]
    assert s.poll() == DONE
    assert s.values == [10, 15, 19]  # the atmospheric-environment values
    s.stop()
    assert uart.written[-1] == PMS_SLEEP


def test_pms5003_resynchronises_and_checks_its_sum():
    set_now(0)
    frame = pms_frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0])
    fake_header = bytes.fromhex("424d0010ffff")  # a header with a wrong length inside noise
    uart = MemoryUART({PMS_READ: bytes.fromhex("0102") + fake_header + frame})
    s = pms5003.PMS5003(uart, {"type": "pms5003", "name": "pms"})
    s.init()
    set_now(30000)
    s.start()
    s.poll()
    s.poll()
    assert s.poll() == DONE and s.values == [4, 5, 6]
    broken = bytearray(frame)
    broken[12] += 1
    uart.replies[PMS_READ] = bytes(broken)
    s.start()
    s.poll()
    s.poll()
    assert raises(SensorError, s.poll).health == CHECKSUM
