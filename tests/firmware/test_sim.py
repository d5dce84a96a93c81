# The simulator's virtual clock and trace-backed buses, as strict as an ESP32: only the board
# file's buses exist, writes are checked against the trace, transfers take their bus time, a device
# that stretches the clock too long or is driven too fast fails, and one powers up before it answers.
import asyncio
import json

from hal import boardfile, sim, simtime
from support import raises

BOARD = {"i2c": {"i2c0": {"id": 0, "sda": 21, "scl": 22, "freq": 100000}, "i2c1": {"id": 1, "sda": 4, "scl": 5}},
         "uart": {"uart1": {"id": 1, "tx": 26, "rx": 25}, "uart2": {"id": 2, "tx": 17, "rx": 16}}}

HEADER = ('{"format": "reallabor-trace", "version": 1, "board": "x", "source": "synthetic", '
          '"start": "2026-01-01T00:00:00Z", "sensors": [{"type": "scd30", "bus": "i2c0", "addr": 97, '
          '"i2c_max_hz": 100000, "power_up_ms": 2000}, {"type": "sps30", "bus": "i2c1", "addr": 105, '
          '"i2c_max_hz": 100000}]}\n')
TRACE = HEADER + """{"t": 0, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"}
{"t": 0, "bus": "i2c0", "addr": 118, "w": "f7", "r": "0102"}
{"t": 0, "bus": "i2c0", "addr": 118, "w": "f425"}

{"t": 1000, "bus": "i2c0", "addr": 118, "w": "f7", "r": "0304"}
{"t": 2000, "bus": "i2c0", "addr": 119, "w": "f401"}
"""


def setup_trace(text=TRACE, board=BOARD, **env):
    with open("board.json", "w") as f:
        json.dump(board, f)
    with open("t.jsonl", "w") as f:
        f.write(text)
    boardfile._board = None
    sim._buses.clear()
    simtime.clock.start(0, 0)
    sim._trace = sim.Trace("t.jsonl")
    sim._supply_on_ms = 0
    return simtime.clock


def test_trace_lines_are_read_a_block_at_a_time():
    # The unix port reads a file's readline() one byte per system call: a day's trace took some 80
    # calls a cycle. Lines: blank ones skipped, CR LF kept as the host reads it, one longer than a
    # block, and a last one without its LF.
    long = '{"t":1,"r":"%s"}' % ("ab" * 800)
    text = '{"a":1}\n\n  \t\n{"b":2}\r\n' + long + "\n" + '{"n":0}\n' * 300 + '{"end":1}'
    with open("t.jsonl", "w") as f:
        f.write(text)
    lines = sim.TraceFile("t.jsonl")
    reads = []
    file = lines._f

    class Counted:
        def readinto(self, buf):
            reads.append(1)
            return file.readinto(buf)

    lines._f = Counted()
    got = []
    line = lines.line()
    while line is not None:
        got.append(line)
        line = lines.line()
    assert got == [b'{"a":1}', b'{"b":2}\r', long.encode()] + [b'{"n":0}'] * 300 + [b'{"end":1}']
    assert lines.line() is None
    assert len(reads) <= len(text) // sim._BLOCK + 4, len(reads)



def test_a_trace_line_the_heap_had_no_room_for_is_read_again():
    # The simulator shares the firmware's heap: a MemoryError while it copied a line out of the
    # trace lost that record for good (an answer the sensor then never gave).
    with open("t.jsonl", "w") as f:
        f.write('{"a":1}\n{"b":2}\n')
    lines = sim.TraceFile("t.jsonl")

    def full(view):
        raise MemoryError

    sim.bytes = full  # the module's own name for bytes, ahead of the builtin
    try:
        raises(MemoryError, lines.line)
    finally:
        del sim.bytes
    assert lines.line() == b'{"a":1}' and lines.line() == b'{"b":2}'

RECORDS = [
    {"t": 0, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"},
    {"t": 0, "bus": "i2c0", "addr": 97, "w": "0300", "r": "0102", "stretch_us": 1500},
    {"t": 0, "bus": "i2c0", "addr": 98, "w": "e000"},
    {"t": 5, "fault": "power_loss", "off_ms": 1000},
    {"t": 6, "sensor": "bme280", "health": "ok", "values": {"t": 99, "addr": 7, "w": 1}},  # its keys nested
    {"t": 10, "bus": "uart1", "w": "aab4", "rx": "c0"},
    {"t": 10, "bus": "uart2", "rx": "4d42"},
    {"t": 20, "bus": "i2c0", "addr": 118, "ack": False},
    {"t": 30, "bus": "i2c0", "addr": 97, "w": "0300", "r": "0304"},
]


def trace_state(text):
    setup_trace(HEADER + text)
    trace = sim._trace
    trace.advance(1 << 40)
    return (trace.present, trace.answers, trace.stretch, trace.accepts, trace.replies, trace.sent)


def test_bus_records_are_read_without_json_in_the_compact_form_the_host_writes():
    # A compact record is read field by field as bytes: each string json.loads makes costs a walk
    # through all the interned names. Spaces (a hand-written trace) and nested values (a sensor's
    # values) go through json, with the same result.
    parsed = []

    class Counted:
        dumps = json.dumps

        @staticmethod
        def loads(text):
            parsed.append(bytes(text))
            return json.loads(text)

    sim.json = Counted
    try:
        compact = trace_state("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in RECORDS))
        assert len(parsed) == 2, parsed  # the header and the sensor's values
        spaced = trace_state("".join(json.dumps(r) + "\n" for r in RECORDS))
        tabbed = trace_state("".join(json.dumps(r, separators=(",\t", ":\t")) + "\n" for r in RECORDS))
    finally:
        sim.json = json
    assert compact == spaced == tabbed
    present, answers, stretch, accepts, replies, sent = compact
    assert present == {"i2c0:97", "i2c0:98"}  # 118 stopped answering at t=20
    assert answers == {b"i2c0:118:\xd0": b"\x60", b"i2c0:97:\x03\x00": b"\x03\x04"}
    assert stretch == {}  # the last answer to 0300 came at once
    assert accepts == {b"i2c0:98:\xe0\x00"}
    assert replies == {b"uart1:\xaa\xb4": b"\xc0"}
    assert sent == {b"uart2": b"MB"}


def test_answers_hold_from_their_time_on():
    vc = setup_trace()
    bus = sim.i2c("i2c0")
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
    bus = sim.i2c("i2c0")
    e = raises(OSError, bus.writeto_mem, 119, 0xF4, b"\x01")
    assert e.args[0] == 19  # ENODEV, as machine.I2C on a real bus
    vc.elapsed = 2000
    bus.writeto_mem(119, 0xF4, b"\x01")  # it answers from its first record on
    e = raises(OSError, sim.i2c("i2c1").readfrom_mem_into, 118, 0xD0, bytearray(1))
    assert e.args[0] == 19  # same address, other bus


def test_missing_answer_is_a_bus_error():
    setup_trace()
    e = raises(OSError, sim.i2c("i2c0").readfrom_mem_into, 118, 0x88, bytearray(26))
    assert e.args[0] == 5  # EIO
    e = raises(OSError, sim.i2c("i2c0").readfrom_mem_into, 118, 0xF7, bytearray(8))
    assert e.args[0] == 5  # the trace holds only 2 bytes


def test_writes_are_checked_against_the_trace():
    setup_trace()
    bus = sim.i2c("i2c0")
    bus.writeto_mem(118, 0xF4, b"\x25")  # the trace lists it
    e = raises(OSError, bus.writeto_mem, 118, 0xF4, b"\x27")  # another oversampling than the trace's
    assert e.args[0] == 5
    bus.writeto(118, b"\xf7")  # a command the trace answers is taken too
    bus.readfrom_into(118, bytearray(2))
    assert raises(OSError, bus.writeto, 118, b"\xe0\x00").args[0] == 5
    # the refused command left the device without one: the next read is not the earlier one's answer
    assert raises(OSError, bus.readfrom_into, 118, bytearray(2)).args[0] == 5


def test_only_the_board_files_buses_exist():
    setup_trace()
    e = raises(OSError, sim.i2c("i2c3").readfrom_mem_into, 118, 0xD0, bytearray(1))
    assert e.args[0] == 19
    assert raises(OSError, sim.uart("uart3", 9600).any).args[0] == 19


def test_transfers_take_their_bus_time():
    vc = setup_trace()
    bus = sim.i2c("i2c0")  # 100 kHz in the board file
    for _ in range(100):
        bus.readfrom_mem_into(118, 0xF7, bytearray(2))  # 4 bytes with the address and register
    assert 36 <= vc.elapsed <= 40  # 100 x (36 bits + 20 us) at 100 kHz = 38 ms


def test_a_device_driven_faster_than_it_follows_fails():
    suite = HEADER + '{"t": 0, "bus": "i2c0", "addr": 97, "w": "0202", "r": "000103"}\n'
    board = json.loads(json.dumps(BOARD))
    board["i2c"]["i2c0"]["freq"] = 400000
    vc = setup_trace(suite, board)
    vc.elapsed = 2000  # powered up
    assert raises(OSError, sim.i2c("i2c0").writeto, 97, b"\x02\x02").args[0] == 5
    sim._buses.clear()
    assert sim.i2c("i2c0", {"freq": 50000}).writeto(97, b"\x02\x02") is None  # the config's setting wins


def test_clock_stretching_longer_than_the_controller_waits_times_out():
    suite = HEADER + ('{"t": 0, "bus": "i2c0", "addr": 97, "w": "0300", "r": "000103", "stretch_us": 150000}\n'
                      '{"t": 0, "bus": "i2c0", "addr": 97, "w": "0301", "r": "00", "stretch_us": 250000}\n'
                      '{"t": 0, "bus": "i2c0", "addr": 97, "w": "0202", "r": "000103", "stretch_us": 30000}\n')
    board = json.loads(json.dumps(BOARD))
    board["chip_facts"] = {"i2c_stretch_cap_us": 13107}  # the ESP32's controller
    vc = setup_trace(suite, board)
    vc.elapsed = 2000
    hard = sim.I2C("i2c0", 100000, 50000, False)
    hard.writeto(97, b"\x02\x02")
    assert raises(OSError, hard.readfrom_into, 97, bytearray(3)).args[0] == 116  # ETIMEDOUT: 30 ms > 13.1 ms
    soft = sim.I2C("i2c0", 100000, 200000, True)  # a software bus waits as long as it is told
    soft.writeto(97, b"\x02\x02")
    start = vc.elapsed
    soft.readfrom_into(97, bytearray(3))
    assert 30 <= vc.elapsed - start <= 31  # the stretch took its time
    soft.writeto(97, b"\x03\x00")
    soft.readfrom_into(97, bytearray(3))  # 150 ms within 200 ms
    short = sim.I2C("i2c0", 100000, 100000, True)
    short.writeto(97, b"\x03\x00")
    assert raises(OSError, short.readfrom_into, 97, bytearray(3)).args[0] == 116
    # the ESP-IDF driver's own wait (100 ms a byte) is the hardware controller's, not a software bus's
    slow = sim.I2C("i2c0", 100000, 300000, True)
    slow.writeto(97, b"\x03\x01")
    slow.readfrom_into(97, bytearray(1))  # 250 ms for one byte, within the bus's 300 ms


def test_a_device_answers_after_its_power_up_time():
    suite = HEADER + '{"t": 0, "bus": "i2c0", "addr": 97, "w": "0202", "r": "000103"}\n'
    vc = setup_trace(suite)
    bus = sim.i2c("i2c0")
    vc.elapsed = 1999
    assert raises(OSError, bus.writeto, 97, b"\x02\x02").args[0] == 19
    vc.elapsed = 2000
    bus.writeto(97, b"\x02\x02")


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


async def test_the_scheduler_polls_only_while_a_socket_is_waited_on():
    # A poll is a system call, and with no socket in asyncio's I/O queue it can find nothing.
    import socket

    from node.net import wait

    vc = simtime.clock
    vc.start(0, 0)
    polls = []
    real = vc._real_wait
    vc._real_wait = lambda dt: polls.append(dt) or real(dt)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(3):
            await asyncio.sleep_ms(1000)
            await asyncio.sleep_ms(0)
        assert vc.elapsed == 3000 and polls == []
        sock.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])

        async def reader():
            await wait.readable(sock)

        waiting = asyncio.create_task(reader())
        await asyncio.sleep_ms(1000)
        assert polls  # the socket is asked before time moves on
        waiting.cancel()
    finally:
        vc._real_wait = real
        sock.close()


def test_ticks_wrap_as_on_the_esp32():
    import time

    vc = simtime.clock
    vc.start(0, 0)
    vc.elapsed = (1 << 30) - 5
    before = time.ticks_ms()
    assert before == (1 << 30) - 5
    vc.elapsed += 10
    assert time.ticks_ms() == 5 and time.ticks_diff(time.ticks_ms(), before) == 10
    assert time.ticks_add(before, 10) == 5


SUITE = HEADER + """{"t": 0, "bus": "i2c0", "addr": 68, "w": "fd", "r": "66660d80009a"}
{"t": 0, "bus": "uart1", "w": "0102", "rx": "aabbcc"}
{"t": 500, "bus": "uart1", "rx": "eeff"}
{"t": 1000, "bus": "i2c0", "addr": 68, "ack": false}
{"t": 2000, "bus": "uart1", "w": "0102", "rx": ""}
{"t": 3000, "bus": "i2c0", "addr": 68, "ack": true}
{"t": 4000, "bus": "uart2", "rx": "%s"}
"""


def setup_suite():
    return setup_trace(SUITE % ("00" * 300))


def test_plain_reads_answer_the_last_command():
    vc = setup_suite()
    bus = sim.i2c("i2c0")
    buf = bytearray(6)
    bus.writeto(68, b"\xfd")
    bus.readfrom_into(68, buf)
    assert buf == bytes.fromhex("66660d80009a")
    assert raises(OSError, bus.writeto, 68, b"\x89").args[0] == 5  # nothing recorded for 0x89
    vc.elapsed = 1000
    assert raises(OSError, bus.writeto, 68, b"\xfd").args[0] == 19  # stopped answering its address
    vc.elapsed = 3000
    bus.writeto(68, b"\xfd")  # and back


def test_uart_replies_arrive_after_their_time_on_the_wire():
    vc = setup_suite()
    u = sim.uart("uart1", 9600)
    assert u.any() == 0 and u.readinto(bytearray(4)) is None
    assert u.write(bytearray(b"\x01\x02")) == 2  # drivers write from their own buffers
    assert u.any() == 0  # 2 + 3 bytes at 9600 baud: 5.2 ms
    vc.elapsed = 6
    buf = bytearray(8)
    assert u.readinto(buf, 2) == 2 and buf[:2] == b"\xaa\xbb"
    assert u.readinto(buf) == 1 and buf[:1] == b"\xcc"
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
    buf = bytearray(300)
    assert u.readinto(buf) == sim.UART.RXBUF and u.any() == 0


def test_writing_to_flash_takes_the_time_programming_and_erasing_take():
    import os

    from hal.simflash import Flash

    vc = simtime.clock
    vc.start(0, 0)
    sim._bus_us = 0
    os.mount(Flash(os.getcwd(), sim.spend_us, sim.COST_MS), "/flash")
    try:
        start = vc.elapsed
        with open("/flash/record", "wb") as f:
            f.write(b"x" * 500)  # LittleFS caches the writes: the time is taken at close
            assert vc.elapsed == start
        # two pages of data and one of metadata
        assert vc.elapsed - start == 3 * sim.COST_MS["flash_page_us"] // 1000
        start = vc.elapsed
        with open("/flash/big", "wb") as f:
            f.write(b"y" * 4096)  # 16 pages + metadata: the sector runs full, one erase
        programmed_us = 17 * sim.COST_MS["flash_page_us"] + sim.COST_MS["flash_erase_4k"] * 1000
        assert abs((vc.elapsed - start) * 1000 - programmed_us) < 1000  # whole ms are taken from the clock
        with open("/flash/record", "rb") as f:
            assert f.read() == b"x" * 500  # reading costs nothing and is the port's own file
    finally:
        os.umount("/flash")
