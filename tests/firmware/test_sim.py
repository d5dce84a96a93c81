# The simulator's virtual clock and trace-backed I2C bus.
import asyncio

from hal import sim, simtime
from support import raises

TRACE = """{"format": "reallabor-trace", "version": 1, "board": "x", "source": "synthetic", "start": "2026-01-01T00:00:00Z"}
{"t": 0, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"}
{"t": 0, "bus": "i2c0", "addr": 118, "w": "f7", "r": "0102"}

{"t": 1000, "bus": "i2c0", "addr": 118, "w": "f7", "r": "0304"}
{"t": 2000, "bus": "i2c0", "addr": 119, "w": "", "r": ""}
"""


def setup_trace():
    with open("t.jsonl", "w") as f:
        f.write(TRACE)
    simtime.clock.start(0, 0)
    sim._trace = sim.Trace("t.jsonl")
    return simtime.clock


def test_answers_hold_from_their_time_on():
    vc = setup_trace()
    bus = sim.I2C("i2c0")
    buf = bytearray(2)
    bus.readfrom_mem_into(118, 0xF7, buf)
    assert buf == b"\x01\x02"
    vc.elapsed = 999
    bus.readfrom_mem_into(118, 0xF7, buf)
    assert buf == b"\x01\x02"
    vc.elapsed = 1000
    bus.readfrom_mem_into(118, 0xF7, buf)
    assert buf == b"\x03\x04"
    one = bytearray(1)
    bus.readfrom_mem_into(118, 0xF7, one)  # a shorter read gets the first bytes
    assert one == b"\x03"


def test_absent_and_late_devices():
    vc = setup_trace()
    bus = sim.I2C("i2c0")
    e = raises(OSError, bus.writeto_mem, 119, 0xF4, b"\x01")
    assert e.args[0] == 19  # ENODEV, as machine.I2C on a real bus
    vc.elapsed = 2000
    bus.writeto_mem(119, 0xF4, b"\x01")  # it answers from its first record on
    e = raises(OSError, sim.I2C("i2c1").readfrom_mem_into, 118, 0xD0, bytearray(1))
    assert e.args[0] == 19  # same address, other bus


def test_missing_answer_is_a_bus_error():
    setup_trace()
    e = raises(OSError, sim.I2C("i2c0").readfrom_mem_into, 118, 0x88, bytearray(26))
    assert e.args[0] == 5  # EIO
    e = raises(OSError, sim.I2C("i2c0").readfrom_mem_into, 118, 0xF7, bytearray(8))
    assert e.args[0] == 5  # the trace holds only 2 bytes


async def test_virtual_clock_interleaves_sleepers():
    vc = simtime.clock
    vc.start(0, 0)
    woke = []

    async def sleeper(name, period, times):
        for _ in range(times):
            await asyncio.sleep_ms(period)
            woke.append((vc.elapsed, name))

    await asyncio.gather(sleeper("a", 60000, 3), sleeper("b", 45000, 4))
    # at 180000 both are due: the one that went to sleep first (a, at 120000) wakes first
    assert woke == [(45000, "b"), (60000, "a"), (90000, "b"), (120000, "a"), (135000, "b"),
                    (180000, "a"), (180000, "b")]


SUITE = """{"format": "reallabor-trace", "version": 1, "board": "x", "source": "synthetic", "start": "2026-01-01T00:00:00Z"}
{"t": 0, "bus": "i2c0", "addr": 68, "w": "fd", "r": "66660d80009a"}
{"t": 0, "bus": "uart1", "w": "0102", "rx": "aabbcc"}
{"t": 500, "bus": "uart1", "rx": "eeff"}
{"t": 1000, "bus": "i2c0", "addr": 68, "ack": false}
{"t": 2000, "bus": "uart1", "w": "0102", "rx": ""}
{"t": 3000, "bus": "i2c0", "addr": 68, "ack": true}
{"t": 4000, "bus": "uart2", "rx": "%s"}
"""


def setup_suite():
    with open("s.jsonl", "w") as f:
        f.write(SUITE % ("00" * 300))
    simtime.clock.start(0, 0)
    sim._trace = sim.Trace("s.jsonl")
    return simtime.clock


def test_plain_reads_answer_the_last_command():
    vc = setup_suite()
    bus = sim.I2C("i2c0")
    buf = bytearray(6)
    bus.writeto(68, b"\xfd")
    bus.readfrom_into(68, buf)
    assert buf == bytes.fromhex("66660d80009a")
    bus.writeto(68, b"\x89")
    e = raises(OSError, bus.readfrom_into, 68, buf)
    assert e.args[0] == 5  # nothing recorded after writing 0x89
    vc.elapsed = 1000
    assert raises(OSError, bus.writeto, 68, b"\xfd").args[0] == 19  # stopped answering its address
    vc.elapsed = 3000
    bus.writeto(68, b"\xfd")  # and back


def test_uart_replies_arrive_after_their_time_on_the_wire():
    vc = setup_suite()
    u = sim.uart("uart1", 9600)
    assert u.any() == 0 and u.readinto(bytearray(4)) is None
    assert u.write(b"\x01\x02") == 2
    assert u.any() == 0  # 2 + 3 bytes at 9600 baud: 5.2 ms
    vc.elapsed = 6
    buf = bytearray(8)
    assert u.readinto(buf) == 3 and buf[:3] == b"\xaa\xbb\xcc"
    vc.elapsed = 500
    assert u.readinto(buf) == 2 and buf[:2] == b"\xee\xff"  # sent by the sensor on its own at 500 ms
    vc.elapsed = 2000
    u.write(b"\x01\x02")
    vc.elapsed = 2100
    assert u.any() == 0  # from 2000 on the sensor no longer answers


def test_uart_receive_buffer_is_limited():
    vc = setup_suite()
    u = sim.uart("uart2", 9600)
    vc.elapsed = 4000
    assert u.any() == sim.UART.RXBUF  # 300 bytes sent, 256 kept, as a full buffer drops the rest
