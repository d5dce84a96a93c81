# The whole cycle on a board made of in-memory parts, under the simulator's virtual clock.
import json

from hal.sim import VirtualClock
from node import app, clock
from support import CommandDevice, MemoryI2C, MemorySocket, MemoryUART, words
from test_bme280 import chip
from test_particulate import SDS_DATA, SDS_QUERY

CONNACK = b"\x20\x02\x00\x00"


class Board:
    def __init__(self, cycles, devices=None, on_check=None, uarts=None):
        self.cycles = cycles
        self.checks = 0
        self.devices = devices if devices is not None else {0x76: chip(0x60, adc_h=0x6000)}
        self.uarts = uarts or {}
        self.sockets = []
        self.on_check = on_check

    def i2c(self, name):
        return MemoryI2C(self.devices)

    def uart(self, name, baudrate):
        return self.uarts[name]

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


def write_config(extra="", sensors='{"type": "bme280"}'):
    with open("config.json", "w") as f:
        f.write('{"site": "hof", "interval_s": 60, "mqtt": {"url": "mqtt://broker:1883"}, '
                '"sensors": [%s]%s}' % (sensors, extra))


def states(board):
    return [json.loads(p[3]) for p in packets(board.sockets[0].sent) if p[0] == 0x30 and p[2].endswith("/state")]


def sht4x(rh_raw=32768):
    return CommandDevice({b"\x89": words(1, 2), b"\xfd": words(26214, rh_raw)})


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


async def test_samples_between_messages_and_a_failing_sensor_beside_a_good_one():
    start_virtual_clock()
    write_config(', "sample_s": 10', '{"type": "bme280"}, {"type": "sht4x"}, {"type": "sht3x", "addr": 69}')
    board = Board(cycles=3, devices={0x76: chip(0x60, adc_h=0x6000), 0x44: sht4x()})
    await app.start(board)
    docs = states(board)
    assert len(docs) == 3
    assert [d["readings"]["sht4x"]["temperature"]["n"] for d in docs] == [1, 6, 6]  # 10 s samples, 60 s messages
    assert docs[1]["readings"]["sht4x"]["temperature"] == {"value": 25.0, "unit": "°C", "n": 6, "min": 25.0, "max": 25.0}
    assert docs[1]["readings"]["sht4x"]["humidity"]["value"] == 56.5
    assert docs[2]["health"] == {"bme280": "ok", "sht4x": "ok", "sht3x": "absent"}
    assert "sht3x" not in docs[2]["readings"] and docs[2]["readings"]["bme280"]["temperature"]["value"] == 25.08


async def test_change_threshold_publishes_early():
    vc = start_virtual_clock()
    write_config(', "sample_s": 10', '{"type": "sht4x", "change": {"humidity": 5}}')
    sensor = sht4x()
    board = Board(cycles=2, devices={0x44: sensor})

    def door_opens(check):
        if check == 2:  # at 60 s: from the next sample on, humid air comes in
            sensor.replies[b"\xfd"] = words(26214, 40000)

    board.on_check = door_opens
    await app.start(board)
    docs = states(board)
    assert [d["seq"] for d in docs] == [0, 1, 2]
    assert [d["time"] - 1778716800 for d in docs] == [0, 60, 70]  # 70: early, the humidity moved
    # at 60 the window's median is still 56.50 (one humid sample of six); the new window's first
    # sample, -6 + 125 * 40000 / 65535 = 70.30 %RH, is 13.8 %RH away from what was sent
    assert docs[1]["readings"]["sht4x"]["humidity"]["value"] == 56.5
    assert docs[2]["readings"]["sht4x"]["humidity"] == {"value": 70.3, "unit": "%RH", "n": 1, "min": 70.3, "max": 70.3}
    assert vc.elapsed >= 120000


async def test_particulate_sensor_warms_up_and_rests_between_samples():
    start_virtual_clock()
    write_config("", '{"type": "sds011"}')
    uart = MemoryUART({SDS_QUERY: SDS_DATA})
    board = Board(cycles=3, devices={}, uarts={"uart1": uart})
    await app.start(board)
    docs = states(board)
    assert [d["health"]["sds011"] for d in docs] == ["warming_up", "ok", "ok"]
    assert docs[1]["readings"]["sds011"]["pm2_5"]["value"] == 123.6
    assert docs[1]["readings"]["sds011"]["pm10"]["unit"] == "µg/m³"
    commands = [w[2:5] for w in uart.written]
    # wake, query mode; at 60 s query then sleep; woken 30 s before the samples at 120 s and 180 s
    wake, sleep, query = b"\x06\x01\x01", b"\x06\x01\x00", b"\x04\x00\x00"
    assert commands == [wake, b"\x02\x01\x01", query, sleep, wake, query, sleep, wake]


async def test_co2_sensor_gets_the_pressure_from_the_bme280():
    start_virtual_clock()
    write_config("", '{"type": "bme280"}, {"type": "scd4x"}')
    scd = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": words(0x01F4, 0x6667, 0x5EB9)})
    board = Board(cycles=2, devices={0x76: chip(0x60, adc_h=0x6000), 0x62: scd})
    await app.start(board)
    assert b"\xe0\x00" + words(1007) in scd.writes  # set_ambient_pressure: 1006.53 hPa from the BME280
    docs = states(board)
    assert docs[1]["readings"]["scd4x"]["co2"]["value"] == 500
