# The whole cycle on a board made of in-memory parts, under the simulator's virtual clock.
import gc
import json
import struct

from hal import simtime
from node import app, clock, log, rtcmem
from hal.tcp import connect_tcp
from support import SDS_DATA, SDS_QUERY, SDS_SLEEP, BrokerSocket, CommandDevice, MemoryI2C, MemoryUART, bme280_chip as chip, full_flash, listener, words


class DeepSleep(Exception):
    pass


class Board:
    # An in-memory board that keeps the board contract of hal/__init__.py (a host test checks it).
    def __init__(self, cycles, devices=None, on_check=None, uarts=None, refuse=0, network=True):
        self.cycles = cycles
        self.checks = 0
        self.devices = devices if devices is not None else {0x76: chip(0x60, adc_h=0x6000)}
        self.uarts = uarts or {}
        self.sockets = []
        self.on_check = on_check
        self.refuse = refuse
        self.network = network
        self.drop_after = None
        self.rtc = b""
        self.cause = "power"
        self.slept = None
        self.fed = 0

    def setup(self):
        return 0

    def sync_time(self, server):
        return True

    def mac(self):
        return b"\x02\x00\x00\xaa\xbb\xcc"

    def stopped(self):
        pass

    def radio(self):
        return None

    def capture(self, settings):
        self.capturing = settings

    def battery_mv(self):
        return 3912

    def rssi_dbm(self):
        return -67

    def i2c(self, name, overrides=None):
        return MemoryI2C(self.devices)

    def uart(self, name, baudrate):
        return self.uarts[name]

    def device_id(self):
        return "rl-aabbcc"

    async def connect_network(self, wifi, timeout_ms):
        if not self.network:
            raise OSError(113)

    async def connect_tcp(self, host, port, ca, timeout_ms):
        self.sockets.append(BrokerSocket(self.refuse, self.drop_after))
        self.drop_after = None
        return self.sockets[-1]

    def running(self):
        self.checks += 1
        if self.on_check:
            self.on_check(self.checks)
        return self.checks <= self.cycles

    def watchdog(self, timeout_ms):
        return self

    def feed(self):
        self.fed += 1

    def reset_cause(self):
        return self.cause

    def rtc_memory(self):
        return self.rtc

    def save_rtc(self, data):
        self.rtc = bytes(data)

    def deepsleep(self, ms):
        self.slept = ms
        raise DeepSleep()

    def publishes(self, suffix=""):
        return [p for s in self.sockets for p in s.publishes(suffix)]

    def states(self):
        return [json.loads(p[1]) for p in self.publishes("/state")]


def write_config(extra="", sensors='{"type": "bme280"}'):
    with open("config.json", "w") as f:
        f.write('{"site": "hof", "interval_s": 60, "mqtt": {"url": "mqtt://broker:1883"}, '
                '"sensors": [%s]%s}' % (sensors, extra))


def sht4x(rh_raw=32768):
    return CommandDevice({b"\x89": words(1, 2), b"\xfd": words(26214, rh_raw)})


def start_virtual_clock():
    vc = simtime.clock
    vc.start(0, 0)
    clock.set_epoch_ms(1778716800000)
    return vc


def test_the_boot_lets_the_validator_go_with_the_modules_of_its_sections():
    # A lora section and a capture.json are checked by modules of their own (node.config_lora,
    # node.config_capture): the config read drops them with the validator, whose RAM the sensors need.
    import sys
    import node

    write_config(', "lora": {"dev_eui": "70B3D57ED0000001", "join_eui": "70B3D57ED0000000", "app_key": "%s"}'
                 % ("0F" * 16))
    with open("capture.json", "w") as f:
        f.write('{"to": "console"}')
    cfg = app.read_config()
    assert cfg["lora"]["dev_eui"] == "70B3D57ED0000001" and cfg["capture"]["to"] == "console"
    assert [m for m in sys.modules if m.startswith("node.config")] == []
    assert not [name for name in ("config", "config_lora", "config_capture") if hasattr(node, name)]


def test_a_section_module_missing_from_the_flash_means_safe_mode_not_a_crash():
    # A deploy cut off halfway can leave node/config_lora.mpy out: the boot's config read goes to
    # safe mode (the REPL reachable, a new look every minute), as for a bad config.
    import builtins

    real_import, real_error, said = builtins.__import__, log.error, []

    def without_lora(name, *args):
        if name == "node.config_lora":
            raise ImportError("no module named '%s'" % name)
        return real_import(name, *args)

    write_config(', "lora": {"dev_eui": "70B3D57ED0000001", "join_eui": "70B3D57ED0000000", "app_key": "%s"}'
                 % ("0F" * 16))
    builtins.__import__, log.error = without_lora, said.append
    try:
        assert app.read_config() is None
    finally:
        builtins.__import__, log.error = real_import, real_error
    assert len(said) == 1 and "config_lora" in said[0] and "safe mode" in said[0], said


def test_a_stored_message_leaves_no_strings_behind_in_ram():
    # Once a state message is in the outbox on flash its strings go: kept until the next message,
    # they held some 5 KB of the nine-driver node's heap between cycles.
    start_virtual_clock()
    write_config()
    node = app.Node(Board(cycles=1), app.read_config())
    now = clock.ticks()
    for c in node.channels:
        c.step(now)
    node.publish_state(now)
    assert node.parts and all(p == b"" for p in node.parts)
    outbox = node.uplink.outbox
    assert outbox.load() == 0 and json.loads(bytes(outbox.payload()))["seq"] == 0


async def test_cycles_publish_state_with_sequence_numbers():
    vc = start_virtual_clock()
    write_config()
    board = Board(cycles=3)
    await app.start(board)
    assert len(board.sockets) == 1
    packets = board.sockets[0].packets
    assert packets[0][0] == 0x10  # CONNECT
    status = "reallabor/hof/rl-aabbcc/status"
    assert board.publishes()[0] == (status, '{"state":"online","dropped":0}', 1, False)
    docs = board.states()
    assert [d["seq"] for d in docs] == [0, 1, 2]
    assert [d["time"] for d in docs] == [1778716800, 1778716860, 1778716920]  # on schedule
    assert docs[0]["readings"]["bme280"]["temperature"]["value"] == 25.08
    assert docs[0]["readings"]["bme280"]["pressure"]["value"] == 1006.53
    assert docs[0]["health"] == {"bme280": "ok"}
    node = docs[2]["node"]
    assert (node["battery_mv"], node["rssi_dbm"], node["reset"], node["uptime_s"]) == (3912, -67, "power", 120)
    assert node["firmware"] is None and node["heap_free"] > 0  # no deploy manifest in this flash
    assert all(first == 0x32 for first, _ in packets if first & 0xF0 == 0x30 and b"/state" in _)  # QoS 1
    assert board.publishes()[-1] == (status, '{"state":"offline","dropped":0}', 1, False)
    assert packets[-1][0] == 0xE0  # DISCONNECT
    assert vc.elapsed >= 180000 and board.fed == 3


_PINGREQ = 0xC0


class CountingGc:
    # gc for node.app: counts the full-heap scans behind the free heap
    def __init__(self):
        self.scans = 0

    def mem_free(self):
        self.scans += 1
        return 40000 + self.scans

    def __getattr__(self, name):
        return getattr(gc, name)


async def test_the_free_heap_is_measured_every_ten_minutes_not_per_message():
    start_virtual_clock()
    write_config()
    board = Board(cycles=25)
    counting = app.gc = CountingGc()
    try:
        await app.start(board)
    finally:
        app.gc = gc
    heap = [d["node"]["heap_free"] for d in board.states()]
    assert len(heap) == 25 and counting.scans == 3  # at 0, 10 and 20 minutes
    assert heap == [40001] * 10 + [40002] * 10 + [40003] * 5


async def test_an_always_on_node_makes_at_most_one_task_per_cycle():
    # On the simulator every task costs Python-level scheduling: asyncio.wait_for made two per
    # wait, for the uplink's rest and for each request (four per cycle, 16 % of a courtyard cycle).
    # Now only a request's timeout watcher is made anew, once per cycle.
    start_virtual_clock()
    write_config()
    board = Board(cycles=30)
    made = []
    real = simtime.Task.__init__

    def counting(task, coro, context=None):
        made.append(coro)
        real(task, coro, context)

    simtime.Task.__init__ = counting
    try:
        await app.start(board)
    finally:
        simtime.Task.__init__ = real
    assert len(board.states()) == 30 and len(made) <= 30 + 5, len(made)


async def test_on_the_default_keepalive_the_state_messages_keep_the_connection_alive():
    # The keepalive used to default to 60 s, the default interval: the sampling that comes first
    # in each cycle made every message a few ms late, and a PINGREQ went out before nearly each one.
    start_virtual_clock()
    write_config()
    board = Board(cycles=30)
    await app.start(board)
    kinds = [p[0] for p in board.sockets[0].packets]
    assert len(board.states()) == 30 and _PINGREQ not in kinds
    assert app.read_config()["mqtt"]["keepalive_s"] == 120


async def test_sequence_survives_a_restart():
    start_virtual_clock()
    write_config()
    first = Board(cycles=2)
    await app.start(first)
    board = Board(cycles=2)
    board.cause, board.rtc = "watchdog", first.rtc  # RTC memory kept: the numbers go on exactly
    await app.start(board)
    assert [d["seq"] for d in board.states()] == [2, 3]
    board = Board(cycles=2)  # a power-up: on above the numbers reserved for readings held in RAM
    await app.start(board)
    seqs = [d["seq"] for d in board.states()]
    assert 4 <= seqs[0] <= 4 + 64 and seqs[1] == seqs[0] + 1


async def test_missing_sensor_is_reported_and_the_cycle_goes_on():
    start_virtual_clock()
    write_config()
    board = Board(cycles=2, devices={})
    await app.start(board)
    docs = board.states()
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
    assert [d["health"]["bme280"] for d in board.states()] == ["absent", "ok", "ok"]


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
    assert len(board.states()) >= 1


async def test_broker_refusal_buffers_readings_until_accepted():
    start_virtual_clock()
    write_config()
    board = Board(cycles=3, refuse=5)  # not authorised
    await app.start(board)
    assert board.states() == [] and len(board.sockets) >= 2  # tried again, with backoff
    board = Board(cycles=1)  # the broker accepts the node again (after a power-up here)
    await app.start(board)
    seqs = [d["seq"] for d in board.states()]
    assert seqs[:3] == [0, 1, 2] and seqs[3] > 2 and len(seqs) == 4  # nothing lost, in order


async def test_memory_running_out_while_connecting_is_a_failed_attempt_not_the_end_of_delivery():
    # A fragmented heap can refuse the buffers of a new connection: the uplink must try again
    # later, not die silently while the sampling loop (and so the watchdog) goes on.
    start_virtual_clock()
    write_config()
    board = Board(cycles=5)
    real = board.connect_tcp
    calls = []

    async def fragmented(*args):
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("memory allocation failed, allocating 640 bytes")
        return await real(*args)

    board.connect_tcp = fragmented
    await app.start(board)
    assert len(calls) >= 2 and [d["seq"] for d in board.states()] == [0, 1, 2, 3, 4]



async def test_memory_that_runs_out_again_and_again_restarts_the_node():
    # A heap in pieces refuses every connection: after five MemoryErrors with nothing delivered
    # between them the node ends, so that the watchdog restarts it with a whole heap, rather than
    # failing every few seconds for days while its readings pile up on flash.
    start_virtual_clock()
    write_config()
    board = Board(cycles=30)
    calls = []

    async def in_pieces(*args):
        calls.append(1)
        raise MemoryError("memory allocation failed, allocating 640 bytes")

    board.connect_tcp = in_pieces
    try:
        await app.start(board)
    except MemoryError:
        pass
    else:
        raise AssertionError("the node went on failing")
    assert len(calls) == 5 and board.states() == []


async def test_a_boot_that_runs_out_of_memory_building_the_node_has_the_watchdog_armed():
    # A MemoryError while the node is built (the boot's tightest moment) ends main.py: without a
    # running watchdog the board would stay in the REPL, sampling nothing, until someone came.
    start_virtual_clock()
    write_config()
    board = Board(cycles=1)
    armed = []
    board.watchdog = lambda timeout_ms: armed.append(timeout_ms) or board

    def no_room(name, overrides=None):
        raise MemoryError("memory allocation failed, allocating 752 bytes")

    board.i2c = no_room
    try:
        await app.start(board)
    except MemoryError:
        pass
    else:
        raise AssertionError("the boot went on")
    assert armed == [60000 + 60000]  # the interval and the slack, as in run()

async def test_an_uplink_that_dies_of_a_bug_stops_the_node_rather_than_leaving_it_sampling_for_nobody():
    # The watchdog resets a board whose app has ended; one that kept sampling (and feeding it)
    # with its delivery task dead would queue readings until the flash is full.
    start_virtual_clock()
    write_config()
    board = Board(cycles=5)

    async def bug(*args):
        raise TypeError("a bug")

    board.connect_tcp = bug
    try:
        await app.start(board)
    except TypeError:
        pass
    else:
        raise AssertionError("the node went on without its uplink")
    assert board.fed == 0


async def test_network_outage_readings_arrive_later_in_order():
    vc = start_virtual_clock()
    write_config()

    def outage(check):
        board.network = not 2 <= check <= 10  # down from the second to the tenth cycle
        if not board.network:
            board.sockets[-1].closed = True  # the connection dies with it

    board = Board(cycles=20, on_check=outage)
    await app.start(board)
    assert [d["seq"] for d in board.states()] == list(range(20))
    assert len(board.sockets) == 2 and vc.elapsed >= 20 * 60000


async def test_cut_connection_means_a_resend_with_dup():
    start_virtual_clock()
    write_config(', "mqtt": {"url": "mqtt://broker:1883", "keepalive_s": 600}')  # no PINGREQ
    board = Board(cycles=3)
    board.drop_after = 3  # CONNECT, online, seq 0 arrive; the connection dies on seq 1
    await app.start(board)
    seqs = [json.loads(p[1])["seq"] for p in board.publishes("/state")]
    assert seqs == [0, 1, 2]
    assert board.sockets[0].closed and len(board.sockets) == 2
    assert [p[3] for p in board.sockets[1].publishes("/state")][:1] == [True]  # seq 1 again, DUP


async def test_discovery_one_config_per_quantity():
    start_virtual_clock()
    write_config(', "mqtt": {"url": "mqtt://broker:1883", "discovery": true}')
    board = Board(cycles=1)
    await app.start(board)
    everything = [(t, json.loads(p), r) for t, p, r, _ in board.publishes("/config")]
    diagnostics = [(t, c, r) for t, c, r in everything if c.get("entity_category") == "diagnostic"]
    configs = [x for x in everything if x not in diagnostics]
    assert [t for t, _, _ in configs] == ["homeassistant/sensor/rl-aabbcc/bme280_%s/config" % q
                                          for q in ("temperature", "pressure", "humidity")]
    assert [c["value_template"] for _, c, _ in diagnostics] == [
        "{{ value_json.node.%s if value_json.node is defined else None }}" % k
        for k in ("battery_mv", "rssi_dbm", "uptime_s", "heap_free")]
    assert diagnostics[0][1]["device_class"] == "voltage" and diagnostics[0][1]["unit_of_measurement"] == "mV"
    t, c, retain = configs[0]
    assert retain and c["unique_id"] == "rl-aabbcc_bme280_temperature"
    assert c["state_topic"] == "reallabor/hof/rl-aabbcc/state" and c["unit_of_measurement"] == "°C"
    assert c["device_class"] == "temperature" and c["expire_after"] == 180
    assert c["availability"][0]["topic"] == "reallabor/hof/rl-aabbcc/status"
    assert c["device"]["identifiers"] == ["reallabor_rl-aabbcc"]
    assert configs[1][1]["device_class"] == "atmospheric_pressure"


async def test_an_always_on_node_loads_discovery_before_its_first_connect():
    # Its names are interned at its import, in a block the heap may not have hours into a run, and
    # a failed import fails every connect: a node whose network is down at boot loads it at once.
    import sys

    start_virtual_clock()
    write_config(', "mqtt": {"url": "mqtt://broker:1883", "discovery": true}')
    board = Board(cycles=2, network=False)
    await app.start(board)
    assert board.sockets == [] and "node.discovery" in sys.modules


async def test_deep_sleep_cycle_keeps_its_schedule_in_rtc_memory():
    start_virtual_clock()
    write_config(', "deep_sleep": true')
    board = Board(cycles=5)
    try:
        await app.start(board)
    except DeepSleep:
        pass
    assert board.slept == 60000 - 10  # the next slot, less the time awake (BME280 measurement)
    assert [d["seq"] for d in board.states()] == [0]
    status = board.publishes("/status")[-1]
    assert status[1] == '{"state":"sleeping","dropped":0,"wake":1778716860}' and status[2]
    assert board.sockets[0].packets[-1][0] == 0xE0  # a clean DISCONNECT: no last will
    version, flags, fails, skip, wake = struct.unpack("<BBBBq", rtcmem.get(board, rtcmem.APP))
    assert (version, fails, skip, wake) == (1, 0, 0, 1778716860000)


async def test_a_sleeping_node_whose_broker_never_answers_times_out_and_still_sleeps():
    # In deep sleep the requests run in the node's main task, so the request timeout cancels that
    # task's wait: it must come back as a failed attempt, and the node must go to sleep on time.
    vc = start_virtual_clock()
    write_config(', "deep_sleep": true')
    board = Board(cycles=5)
    server, port = listener()  # the kernel accepts the connection, nobody ever answers

    async def silent(host, p, ca, timeout_ms):
        return await connect_tcp("127.0.0.1", port, ca, timeout_ms)

    board.connect_tcp = silent
    try:
        await app.start(board)
    except DeepSleep:
        pass
    else:
        raise AssertionError("the node did not go to sleep")
    finally:
        server.close()
    assert 10000 <= vc.elapsed < 12000  # the 10 s request bound, then to sleep
    assert struct.unpack("<BBBBq", rtcmem.get(board, rtcmem.APP))[2] == 1  # one failed attempt


async def test_deep_sleep_with_the_network_down_backs_off_over_wake_ups():
    vc = start_virtual_clock()
    write_config(', "deep_sleep": true')
    board = Board(cycles=100, network=False)
    tried = []
    for wake in range(12):
        board.cause = "deepsleep" if wake else "power"
        try:
            await app.start(board)
        except DeepSleep:
            pass
        tried.append(rtcmem.get(board, rtcmem.APP)[3] == 0 or wake == 0)
        vc.elapsed += board.slept  # asleep
    assert board.states() == []
    assert tried[0] and False in tried  # after failures, some wake-ups skip the attempt (backoff)
    assert struct.unpack("<BBBBq", rtcmem.get(board, rtcmem.APP))[2] >= 2  # failures counted across wake-ups
    board.network = True
    board.cause = "power"  # a power cycle forgets the backoff: try at once
    try:
        await app.start(board)
    except DeepSleep:
        pass
    seqs = [d["seq"] for d in board.states()]
    assert seqs[:12] == list(range(12)) and seqs[12] > 11 and len(seqs) == 13  # every buffered reading


async def test_full_flash_keeps_a_few_in_ram_and_counts_the_rest_as_dropped():
    import os

    faults = full_flash()
    start_virtual_clock()
    write_config()

    def trouble(check):
        board.network = not 2 <= check <= 8
        faults.flash_full = 2 <= check <= 9
        if check == 2:
            board.sockets[-1].closed = True

    board = Board(cycles=10, on_check=trouble)
    await app.start(board)
    seqs = [d["seq"] for d in board.states()]
    assert sorted(seqs) == [0, 1, 2, 3, 4, 9]  # 1-4 waited in RAM; 5-8 had nowhere to go
    assert json.loads(board.publishes("/status")[-1][1]) == {"state": "offline", "dropped": 4}
    os.chdir("/")
    os.umount("/flash")


def _unmount():
    import os

    os.chdir("/")
    os.umount("/flash")


def _no_number_twice(boards):
    # every (seq) that reached the broker carries one reading only
    seen = {}
    for board in boards:
        for d in board.states():
            seen.setdefault(d["seq"], set()).add(json.dumps(d))
    return [seq for seq, docs in seen.items() if len(docs) > 1]


async def test_readings_sent_from_ram_never_share_a_number_with_later_ones_after_a_power_loss():
    # issue 16.1: the flash refuses writes, readings go out from RAM, then the power goes; the
    # next boot must not hand out those numbers again
    faults = full_flash()
    start_virtual_clock()
    write_config()
    try:
        first = Board(cycles=6, on_check=lambda n: setattr(faults, "flash_full", n >= 2))
        await app.start(first)
        sent = sorted(d["seq"] for d in first.states())
        assert sent == list(range(6))  # 1-5 went out from RAM
        faults.flash_full = False
        board = Board(cycles=3)  # a power-up: RTC memory and RAM are gone
        await app.start(board)
        later = [d["seq"] for d in board.states()]
        assert len(later) == 3 and min(later) > max(sent)
        assert _no_number_twice([first, board]) == []
    finally:
        _unmount()


async def test_after_a_power_up_on_a_full_flash_readings_wait_in_ram_until_the_flash_takes_them():
    # issue 16.1: after a power-up no number is reserved beyond the flash's: a reading sent from
    # RAM now could get its number again after the next power cut. So they wait, unsent, and go
    # to flash (and then out) once it takes writes again.
    faults = full_flash()
    start_virtual_clock()
    write_config()
    try:
        first = Board(cycles=1)
        await app.start(first)  # seq 0 on flash, numbers reserved beyond it
        faults.flash_full = True
        held = []

        def check(n):
            if n == 3:
                held.extend(board.states())
                faults.flash_full = False

        board = Board(cycles=4, on_check=check)  # a power-up with the flash full
        await app.start(board)
        assert held == []  # nothing left the node while its numbers were not safe
        seqs = [d["seq"] for d in board.states()]
        assert len(seqs) == 4 and seqs == sorted(seqs) and seqs[0] > 0  # none lost, in order
        assert _no_number_twice([first, board]) == []
        with open("outbox/head") as f:
            assert int(f.read().splitlines()[-1].split()[2]) == seqs[-1] + 1  # the next number is on flash again
    finally:
        _unmount()


async def test_deep_sleep_with_the_flash_full_numbers_each_wake_up_anew():
    # issue 16.1: one reading per wake-up, none of them on flash: RTC memory carries the count.
    # After a power-up (RTC memory gone) the reading waits in RAM, is lost with the deep sleep
    # and counted as dropped; nothing goes out under a number that was used before.
    faults = full_flash()
    vc = start_virtual_clock()
    write_config(', "deep_sleep": true')
    boards = []
    try:
        for wake, (cause, full) in enumerate((("power", False), ("deepsleep", True), ("deepsleep", True),
                                              ("deepsleep", True), ("deepsleep", True), ("power", True),
                                              ("deepsleep", False))):
            faults.flash_full = full
            board = Board(cycles=100)
            board.cause = cause
            board.rtc = boards[-1].rtc if boards and cause != "power" else b""
            try:
                await app.start(board)
            except DeepSleep:
                pass
            boards.append(board)
            vc.elapsed += board.slept
        seqs = [[d["seq"] for d in b.states()] for b in boards]
        assert seqs[:5] == [[0], [1], [2], [3], [4]], seqs
        assert seqs[5] == [] and seqs[6][0] > 4, seqs
        assert _no_number_twice(boards) == []
        status = json.loads(boards[6].publishes("/status")[0][1])
        assert status["dropped"] == 1, status
    finally:
        _unmount()


async def test_dropped_count_is_kept_over_a_restart():
    # issue 16.1: readings thrown away while the flash refused writes are still counted after a
    # reset (RTC memory), and so are those that waited in RAM when the reset came; once the flash
    # takes writes again the count goes to flash and outlives a power-up.
    faults = full_flash()
    start_virtual_clock()
    write_config()
    try:
        def trouble(check):
            first.network = check < 2
            faults.flash_full = check >= 2
            if check == 2:
                first.sockets[-1].closed = True

        first = Board(cycles=9, on_check=trouble)
        await app.start(first)  # 1-4 wait in RAM, 5-8 are dropped, the broker never comes back
        faults.flash_full = False
        board = Board(cycles=1)
        board.cause, board.rtc = "watchdog", first.rtc
        await app.start(board)
        status = json.loads(board.publishes("/status")[0][1])
        assert status == {"state": "online", "dropped": 8}, status
        board = Board(cycles=2)  # a power-up: RTC memory gone, the count came from flash
        await app.start(board)
        assert json.loads(board.publishes("/status")[0][1])["dropped"] == 8
    finally:
        _unmount()


async def test_samples_between_messages_and_a_failing_sensor_beside_a_good_one():
    start_virtual_clock()
    write_config(', "sample_s": 10', '{"type": "bme280"}, {"type": "sht4x"}, {"type": "sht3x", "addr": 69}')
    board = Board(cycles=3, devices={0x76: chip(0x60, adc_h=0x6000), 0x44: sht4x()})
    await app.start(board)
    docs = board.states()
    assert len(docs) == 3
    assert [d["readings"]["sht4x"]["temperature"]["n"] for d in docs] == [1, 6, 6]  # 10 s samples, 60 s messages
    assert docs[1]["readings"]["sht4x"]["temperature"] == {"value": 25.0, "unit": "°C", "n": 6, "min": 25.0, "max": 25.0}
    assert docs[1]["readings"]["sht4x"]["humidity"]["value"] == 56.5
    assert docs[2]["health"] == {"bme280": "ok", "sht4x": "ok", "sht3x": "absent"}
    assert "sht3x" not in docs[2]["readings"] and docs[2]["readings"]["bme280"]["temperature"]["value"] == 25.08


async def test_the_longest_blocking_stall_costs_no_sample():
    # A TLS connect blocks the board for DNS + handshake (hal/sim.py COST_MS, docs/sensors.md);
    # one that starts just before a sample is due (all of it lies on the sample) must still let
    # that sample be taken.
    import asyncio

    from hal import sim

    stall_ms = sim.COST_MS["dns"] + sim.COST_MS["tcp_connect"] + sim.COST_MS["tls_handshake"]
    start_virtual_clock()
    steady = ', "stuck_after": 0'  # the chips here always say the same
    write_config(', "sample_s": 2', '{"type": "bme280"%s}, {"type": "sht4x"%s}' % (steady, steady))
    board = Board(cycles=3, devices={0x76: chip(0x60, adc_h=0x6000), 0x44: sht4x()})

    async def stalls():
        for slot in range(2000, 180000, 7 * 2000):  # every seventh sample slot, 10 ms before it
            await clock.sleep_until(slot - 10)
            simtime.sleep_ms(stall_ms)  # the whole board stands still, as in a handshake

    asyncio.create_task(stalls())
    await app.start(board)
    docs = board.states()
    for name in ("bme280", "sht4x"):
        assert [d["readings"][name]["temperature"]["n"] for d in docs] == [1, 30, 30], name
        assert all("flags" not in d["readings"][name]["temperature"] for d in docs)


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
    docs = board.states()
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
    docs = board.states()
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
    docs = board.states()
    assert docs[1]["readings"]["scd4x"]["co2"]["value"] == 500


async def test_the_sensors_make_the_bus_before_the_radio_does():
    # A T-Beam powers its radio through a chip on i2c0 (hal/esp32.py radio()), and a board makes
    # each bus once: the config's bus settings must be there when the bus is first made.
    class PoweredRadioBoard(Board):
        made = []

        def i2c(self, name, overrides=None):
            self.made.append((name, overrides))
            return Board.i2c(self, name, overrides)

        def radio(self):
            self.i2c("i2c0")
            return None

    start_virtual_clock()
    keys = '{"dev_eui": "246f28fffea1b2c3", "join_eui": "0000000000000000", "app_key": "00112233445566778899aabbccddeeff"}'
    write_config(', "uplink": "lorawan", "lora": %s, "i2c": {"i2c0": {"freq": 100000}}' % keys)
    board = PoweredRadioBoard(cycles=1)
    await app.start(board)
    assert board.made[0] == ("i2c0", {"freq": 100000})


# -- field defects a strict simulator showed, kept as tests --------------------------------------

SCD_STOP = b"\x3f\x86"  # stop_periodic_measurement


async def wake_once(board):
    try:
        await app.start(board)
    except DeepSleep:
        pass


async def test_a_sleeping_node_publishes_real_values_from_slow_sensors_and_stops_them():
    vc = start_virtual_clock()
    write_config(', "deep_sleep": true, "interval_s": 300', '{"type": "sds011"}, {"type": "scd4x"}')
    uart = MemoryUART({SDS_QUERY: SDS_DATA})
    scd = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": words(0x01F4, 0x6667, 0x5EB9)})
    board = Board(cycles=100, devices={0x62: scd}, uarts={"uart1": uart})
    for wake in range(3):
        board.cause = "deepsleep" if wake else "power"
        await wake_once(board)
        vc.elapsed += board.slept
        # before sleeping, each sensor was stopped: the SDS011's fan and laser, the SCD4x's periodic mode
        assert uart.written[-1] == SDS_SLEEP, uart.written[-1]
        assert scd.writes[-1] == SCD_STOP, scd.writes[-1]
    docs = board.states()
    assert [d["health"] for d in docs] == [{"sds011": "ok", "scd4x": "ok"}] * 3
    assert [d["readings"]["sds011"]["pm2_5"]["value"] for d in docs] == [123.6] * 3
    assert [d["readings"]["scd4x"]["co2"]["value"] for d in docs] == [500] * 3


async def test_tls_waits_for_wall_time_and_ntp_is_tried_again_with_backoff():
    vc = simtime.clock
    vc.start(0, 0)
    clock._epoch_base = None  # after a power-up the RTC does not know the time

    class NoTimeYet(Board):
        asked = []

        def sync_time(self, server):
            self.asked.append((clock.uptime_ms(), server))
            if len(self.asked) < 4:
                return False
            clock.set_epoch_ms(1778716800000)
            return True

    warned = []
    said = log.warn
    log.warn = warned.append
    try:
        with open("ca.pem", "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\n")
        write_config(', "ntp": "ntp.example.org"')
        with open("config.json") as f:
            cfg = f.read().replace("mqtt://broker:1883", "mqtts://broker:8883")
        with open("config.json", "w") as f:
            f.write(cfg)
        board = NoTimeYet(cycles=6)
        await app.start(board)
    finally:
        log.warn = said
    assert [server for _, server in board.asked[:4]] == ["ntp.example.org"] * 4
    waits = [b[0] - a[0] for a, b in zip(board.asked, board.asked[1:4])]
    assert waits == sorted(waits) and waits[0] < waits[-1], waits  # backing off
    assert len(board.sockets) == 1  # no handshake without wall time; one once it was known
    assert sum("TLS waits" in w for w in warned) == 1, warned  # said once, not every cycle
    assert board.states() and all(d["time"] for d in board.states()[1:])


async def test_switched_sensor_power_settles_before_a_sensor_is_first_addressed():
    # A Heltec's Vext comes on at setup(); the SCD4x answers only 1 s after power-up (datasheet)
    class Stamped:  # the chip's list of writes, noting when the first came
        first = None

        def append(self, written):
            if self.first is None:
                self.first = simtime.clock.elapsed

    for powered_ms in (0, 400, 5000):
        start_virtual_clock()
        write_config("", '{"type": "scd4x"}')
        scd = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": words(0x01F4, 0x6667, 0x5EB9)})
        scd.writes = Stamped()
        await app.start(Board(cycles=1, devices={0x62: scd}), powered_ms=powered_ms)
        first = scd.writes.first
        assert first is not None and first >= 1000 - powered_ms and first <= max(1000 - powered_ms, 0) + 20, (powered_ms, first)


def test_rtc_memory_sections_are_kept_apart():
    class Board:
        raw = b""

        def rtc_memory(self):
            return self.raw

        def save_rtc(self, data):
            self.raw = bytes(data)

    b = Board()
    assert rtcmem.get(b, 1) == b""
    rtcmem.put(b, 2, b"abc")
    rtcmem.put(b, 1, b"xy")
    assert b.raw == b"\xa7\x01\x02\x00xy\x02\x03\x00abc"  # sections in id order
    rtcmem.put(b, 2, b"ABC")  # the same size
    rtcmem.put(b, 1, b"longer")
    assert (rtcmem.get(b, 1), rtcmem.get(b, 2), rtcmem.get(b, 3)) == (b"longer", b"ABC", b"")
    b.raw = b.raw + b"\x05\xff"  # a section cut short (garbage behind the last one) is not read
    assert rtcmem.get(b, 5) == b"" and rtcmem.get(b, 2) == b"ABC"
    b.raw = b"\x00garbage"  # not this layout: nothing in it
    assert rtcmem.get(b, 1) == b""
    rtcmem.put(b, 1, b"q")
    assert b.raw == b"\xa7\x01\x01\x00q"
