# Field defects a strict simulator showed (issue "Field-ready firmware"), each kept as a test: a
# sleeping node with slow sensors, TLS before wall time, switched sensor power.
from hal import simtime
from node import app, clock, log
from support import SDS_DATA, SDS_QUERY, SDS_SLEEP, CommandDevice, MemoryUART, words
from test_app import Board, DeepSleep, start_virtual_clock, write_config

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
        vc = start_virtual_clock()
        write_config("", '{"type": "scd4x"}')
        scd = CommandDevice({b"\xe4\xb8": words(0x8006), b"\xec\x05": words(0x01F4, 0x6667, 0x5EB9)})
        scd.writes = Stamped()
        await app.start(Board(cycles=1, devices={0x62: scd}), powered_ms=powered_ms)
        first = scd.writes.first
        assert first is not None and first >= 1000 - powered_ms and first <= max(1000 - powered_ms, 0) + 20, (powered_ms, first)
