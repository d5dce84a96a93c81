# The recording layer (hal/record.py): each bus transaction a frame with the tick it started at,
# errors included, UART bytes of one ms joined, a full buffer counted and its numbers skipped (not
# the node stopped), rotating chunks on flash that stay whole through a power cut, and nothing of
# it in RAM while capture is off.
import asyncio
import binascii
import os
import sys

from hal import record, sim, simtime
from support import CommandDevice, MemoryI2C, MemoryUART, RegisterDevice, raises

import test_sim


class Console:
    def __init__(self):
        self.out = bytearray()

    def write(self, data):
        self.out += data
        return len(data)


def frames(data):
    # frames from the output, each a list of its fields after "rl1", its check verified
    out = []
    for line in bytes(data).split(b"\n"):
        if not line:
            continue
        assert line[0] == 0x1E, line
        body, check = line[1:].rsplit(b" ", 1)
        assert int(check, 16) == binascii.crc32(body), line
        out.append(body.decode().split()[1:])
    return out


def fresh(settings=None, us=None):
    record._rec = None
    vc = simtime.clock
    vc.start(0, 0)
    console = Console()
    rec = record.start(settings or {"to": "console"}, us or (lambda: vc.elapsed * 1000), console)
    return rec, console, vc


def test_capture_off_imports_nothing():
    for name in ("hal.record",):
        sys.modules.pop(name, None)
    test_sim.setup_trace()
    sim._rec = None
    bus = sim.i2c("i2c0")
    assert type(bus) is sim.I2C
    assert "hal.record" not in sys.modules  # capture off: not even imported (the heap budget)


def test_each_transaction_is_a_frame_at_its_start_tick():
    rec, console, vc = fresh()
    dev = RegisterDevice({0xD0: b"\x60"})
    bus = record.i2c("i2c0", MemoryI2C({0x76: dev}), 400000)
    vc.elapsed = 1500
    buf = bytearray(1)
    bus.readfrom_mem_into(0x76, 0xD0, buf)
    bus.writeto_mem(0x76, 0xF4, b"\x25")
    bus.writeto(0x76, b"\xfd")
    e = raises(OSError, bus.readfrom_mem_into, 0x77, 0xD0, buf)
    assert e.args[0] == 19
    rec.flush()
    f = frames(console.out)
    kinds = [x[0] for x in f]
    assert kinds[:2] == ["H", "T"] and kinds[-1] == "E"
    data = [x for x in f if x[0] in "bi"]
    assert data[0] == ["b", "0", "0", "i2c0", "400000"]
    assert data[1][:8] == ["i", "1", "1500", "i2c0", "118", "m", "d060", data[1][7]]
    assert data[1][8] == "0"
    assert data[2][5:7] == ["M", "f425"] and data[3][5:7] == ["w", "fd"]
    assert data[4][4:7] == ["119", "m", "d0"] and data[4][8] == "19"  # no acknowledge, its errno
    assert [int(x[1]) for x in data] == [0, 1, 2, 3, 4]


def test_uart_bytes_of_one_ms_are_one_frame():
    rec, console, vc = fresh()
    u = MemoryUART()
    bus = record.uart("uart1", u, 9600)
    u.incoming = bytearray(b"\xaa\xc0\x01\x02")
    one = bytearray(1)
    for _ in range(4):
        bus.readinto(one)
    bus.write(b"\xaa\xb4")
    vc.elapsed = 20
    u.incoming = bytearray(b"\xab")
    bus.readinto(one)
    rec.flush()
    data = [x for x in frames(console.out) if x[0] == "u"]
    assert data == [["u", "1", "0", "uart1", "x", "aac00102"], ["u", "2", "0", "uart1", "t", "aab4"],
                    ["u", "3", "20", "uart1", "x", "ab"]]


def test_a_full_buffer_drops_notes_and_says_so():
    rec, console, vc = fresh()
    bus = record.i2c("i2c0", MemoryI2C({0x76: RegisterDevice({0xD0: b"\x60"})}), 400000)
    buf = bytearray(26)
    for _ in range(60):  # no task ran the writer meanwhile: the buffer fills
        bus.readfrom_mem_into(0x76, 0x88, buf)
    assert rec.lost > 0
    rec.flush()
    f = frames(console.out)
    numbers = [int(x[1]) for x in f if x[0] == "i"]
    assert numbers == list(range(1, len(numbers) + 1))  # the first ones; the rest never came
    end = f[-1]
    assert end[0] == "E" and int(end[1]) == 61 and int(end[3]) == rec.lost  # E: the next number, notes lost


async def test_the_writer_task_empties_the_buffer_between_samples():
    rec, console, vc = fresh()
    bus = record.i2c("i2c0", MemoryI2C({0x76: RegisterDevice({0xD0: b"\x60"})}), 400000)
    buf = bytearray(26)
    for _ in range(200):
        bus.readfrom_mem_into(0x76, 0x88, buf)
        await asyncio.sleep_ms(10)  # the sampling waits: the writer runs
    assert rec.lost == 0
    assert len([x for x in frames(console.out) if x[0] == "i"]) == 200


def test_flash_chunks_rotate_within_their_bound():
    os.mkdir("r1")
    os.chdir("r1")
    rec, console, vc = fresh({"to": "flash", "chunk_kb": 4, "flash_kb": 16})
    bus = record.i2c("i2c0", MemoryI2C({0x76: RegisterDevice({0xD0: b"\x60"})}), 400000)
    buf = bytearray(26)
    for i in range(400):
        vc.elapsed = i * 1000
        bus.readfrom_mem_into(0x76, 0x88, buf)
        if i % 10 == 9:
            rec._frames(64)
    rec.flush()
    names = sorted(int(n) for n in os.listdir("capture"))
    sizes = [os.stat("capture/%d" % n)[6] for n in names]
    assert names[0] > 0 and names == list(range(names[0], names[-1] + 1))  # the oldest went
    assert sum(sizes) <= 16 * 1024 and max(sizes) <= 4 * 1024
    for n in names:  # each chunk begins with H and T and can be read alone
        with open("capture/%d" % n, "rb") as f:
            kinds = [x[0] for x in frames(f.read())]
        assert kinds[:2] == ["H", "T"]
    os.chdir("..")


def test_a_torn_chunk_is_left_as_it_is_and_the_next_boot_starts_anew():
    os.mkdir("r2")
    os.chdir("r2")
    rec, console, vc = fresh({"to": "flash", "chunk_kb": 4, "flash_kb": 16})
    bus = record.i2c("i2c0", MemoryI2C({0x76: RegisterDevice({0xD0: b"\x60"})}), 400000)
    bus.readfrom_mem_into(0x76, 0xD0, bytearray(1))
    rec.flush()
    with open("capture/0", "ab") as f:
        f.write(b"\x1erl1 i 9 3 i2c0 118 m d0")  # the power went mid-write
    before = open("capture/0", "rb").read()
    rec, console, vc = fresh({"to": "flash", "chunk_kb": 4, "flash_kb": 16})  # the next boot
    rec.flush()
    assert open("capture/0", "rb").read() == before  # untouched
    assert sorted(os.listdir("capture")) == ["0", "1"]
    assert [x[0] for x in frames(open("capture/1", "rb").read())] == ["H", "T", "E"]
    os.chdir("..")


def test_after_a_deep_sleep_the_chunk_goes_on():
    os.mkdir("r3")
    os.chdir("r3")
    for boot in range(3):
        rec, console, vc = fresh({"to": "flash", "chunk_kb": 4, "flash_kb": 16})
        bus = record.i2c("i2c0", MemoryI2C({0x76: RegisterDevice({0xD0: b"\x60"})}), 400000)
        bus.readfrom_mem_into(0x76, 0xD0, bytearray(1))
        rec.flush()  # before the sleep
    assert os.listdir("capture") == ["0"]
    kinds = [x[0] for x in frames(open("capture/0", "rb").read())]
    assert kinds.count("H") == 3 and kinds.count("E") == 3
    os.chdir("..")


def test_errors_of_the_bus_reach_the_driver_unchanged():
    rec, console, vc = fresh()
    bus = record.i2c("i2c0", MemoryI2C({}), 100000)
    for call in (lambda: bus.readfrom_into(0x44, bytearray(6)), lambda: bus.writeto(0x44, b"\x89")):
        e = raises(OSError, call)
        assert e.args[0] == 19
    rec.flush()
    data = [x for x in frames(console.out) if x[0] == "i"]
    assert [x[5] for x in data] == ["r", "w"] and all(x[8] == "19" for x in data)


def test_the_config_switches_capture():
    from node import config

    base = {"sensors": []}
    assert "capture" not in config.validate(dict(base))
    assert "capture" not in config.validate(dict(base, capture={"to": "off"}))
    assert config.validate(dict(base, capture={}))["capture"] == {"to": "console", "flash_kb": 256, "chunk_kb": 16}
    assert config.validate(dict(base, capture={"to": "flash", "flash_kb": 64}))["capture"]["chunk_kb"] == 16
    for bad, field in (({"to": "sd"}, "capture.to"), ({"to": "flash", "flash_kb": 8}, "capture.flash_kb"),
                       ({"to": "flash", "flash_kb": 32, "chunk_kb": 32}, "capture.chunk_kb"),
                       ({"speed": 1}, "capture.speed"), ("console", "capture")):
        e = raises(config.ConfigError, config.validate, dict(base, capture=bad))
        assert e.field == field, (bad, e.field)
    with open("capture.json", "w") as f:
        f.write('{"to": "flash"}')
    cfg = config.capture_override(config.validate(dict(base)))
    assert cfg["capture"]["to"] == "flash"
    with open("capture.json", "w") as f:
        f.write('{"to": "off"}')
    assert "capture" not in config.capture_override(config.validate(dict(base, capture={})))
    os.remove("capture.json")
