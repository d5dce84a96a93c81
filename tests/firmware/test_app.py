# The whole cycle on a board made of in-memory parts, under the simulator's virtual clock.
import json

from hal.sim import VirtualClock
from node import app, clock
from support import MemoryI2C, MemorySocket
from test_bme280 import chip

CONNACK = b"\x20\x02\x00\x00"


class Board:
    def __init__(self, cycles, devices=None, on_check=None):
        self.cycles = cycles
        self.checks = 0
        self.devices = devices if devices is not None else {0x76: chip(0x60, adc_h=0x6000)}
        self.sockets = []
        self.on_check = on_check

    def i2c(self, name):
        return MemoryI2C(self.devices)

    def device_id(self):
        return "rl-aabbcc"

    def connect_network(self, wifi):
        pass

    def open_tcp(self, host, port, tls, timeout_ms):
        self.sockets.append(MemorySocket(CONNACK))
        return self.sockets[-1]

    def running(self):
        self.checks += 1
        if self.on_check:
            self.on_check(self.checks)
        return self.checks <= self.cycles


def packets(data):
    # Split a byte stream into (type nibble, retain flag, topic, payload) for PUBLISH, else (type,).
    out = []
    i = 0
    while i < len(data):
        kind = data[i]
        n, shift = 0, 0
        i += 1
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        body = data[i:i + n]
        i += n
        if kind & 0xF0 == 0x30:
            tl = (body[0] << 8) | body[1]
            out.append((0x30, kind & 1, bytes(body[2:2 + tl]).decode(), bytes(body[2 + tl:]).decode()))
        else:
            out.append((kind & 0xF0,))
    return out


def write_config(extra=""):
    with open("config.json", "w") as f:
        f.write('{"site": "hof", "interval_s": 60, "mqtt": {"url": "mqtt://broker:1883"}, '
                '"sensors": [{"type": "bme280"}]%s}' % extra)


def start_virtual_clock():
    vc = VirtualClock(0)
    clock.use(vc.ticks)
    clock.set_epoch_ms(1778716800000)
    return vc


async def test_cycles_publish_state_with_sequence_numbers():
    vc = start_virtual_clock()
    write_config()
    board = Board(cycles=3)
    await app.start(board)
    assert len(board.sockets) == 1
    sent = packets(board.sockets[0].sent)
    assert sent[0] == (0x10,)  # CONNECT
    assert sent[1] == (0x30, 1, "reallabor/hof/rl-aabbcc/status", '{"state":"online"}')
    states = [p for p in sent if p[0] == 0x30 and p[2].endswith("/state")]
    assert len(states) == 3
    docs = [json.loads(p[3]) for p in states]
    assert [d["seq"] for d in docs] == [0, 1, 2]
    assert [d["time"] for d in docs] == [1778716800, 1778716860, 1778716920]  # on schedule
    assert docs[0]["readings"]["bme280"]["temperature"]["value"] == 25.08
    assert docs[0]["readings"]["bme280"]["pressure"]["value"] == 1006.53
    assert docs[0]["health"] == {"bme280": "ok"}
    assert sent[-2] == (0x30, 1, "reallabor/hof/rl-aabbcc/status", '{"state":"offline"}')
    assert sent[-1] == (0xE0,)  # DISCONNECT
    assert vc.elapsed >= 180000


async def test_sequence_survives_a_restart():
    start_virtual_clock()
    write_config()
    await app.start(Board(cycles=2))
    board = Board(cycles=2)
    await app.start(board)
    seqs = [json.loads(p[3])["seq"] for p in packets(board.sockets[0].sent) if p[0] == 0x30 and "state" in p[2]]
    assert seqs == [2, 3]


async def test_missing_sensor_is_reported_and_the_cycle_goes_on():
    start_virtual_clock()
    write_config()
    board = Board(cycles=2, devices={})
    await app.start(board)
    docs = [json.loads(p[3]) for p in packets(board.sockets[0].sent) if p[0] == 0x30 and "state" in p[2]]
    assert len(docs) == 2
    for d in docs:
        assert d["health"] == {"bme280": "absent"} and d["readings"] == {}


async def test_sensor_that_appears_later_is_picked_up():
    start_virtual_clock()
    write_config()
    devices = {}

    def plug_in(check):
        if check == 2:  # plugged in before the second cycle
            devices[0x76] = chip(0x60, adc_h=0x6000)

    board = Board(cycles=3, devices=devices, on_check=plug_in)
    await app.start(board)
    docs = [json.loads(p[3]) for p in packets(board.sockets[0].sent) if p[0] == 0x30 and "state" in p[2]]
    assert [d["health"]["bme280"] for d in docs] == ["absent", "ok", "ok"]


async def test_corrupt_config_means_safe_mode_until_fixed():
    vc = start_virtual_clock()
    with open("config.json", "w") as f:
        f.write('{"interval_s": 60, "sensors": [')  # cut off mid-write

    def fix(check):
        if check == 2:  # a technician repairs the file while the node waits in safe mode
            write_config()

    board = Board(cycles=4, on_check=fix)
    await app.start(board)
    assert vc.elapsed >= 2 * app.SAFE_MODE_RETRY_MS  # waited, did not crash or reboot
    assert len(board.sockets) == 1
    states = [p for p in packets(board.sockets[0].sent) if p[0] == 0x30 and "state" in p[2]]
    assert len(states) >= 1


async def test_broker_refusal_does_not_stop_sampling():
    start_virtual_clock()
    write_config()
    board = Board(cycles=2)
    board.open_tcp = lambda *a: MemorySocket(b"\x20\x02\x00\x05")  # not authorised
    await app.start(board)
    assert int(open(app.SEQ_FILE).read()) == 2  # both cycles sampled and numbered
