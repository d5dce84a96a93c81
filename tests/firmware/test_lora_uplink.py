# node.app with a LoRa radio: the readings go through the outbox as compact payloads (FPort 1) and
# leave it once sent, or acknowledged when confirmed; deep sleep keeps the MAC in RTC memory.
from hal import simtime
from lorasupport import APP_KEY, DEV_EUI, JOIN_EUI, AppBoard, DeepSleep, Network, write_config
from node import app, rtcmem
from node.codec import compact
from node.outbox import Outbox
from radiosupport import sx1262

LOG = []


def capture_log():
    from node import log

    LOG.clear()
    real = log.info, log.warn

    def info(text):
        LOG.append(text)
        real[0](text)

    def warn(text):
        LOG.append(text)
        real[1](text)

    log.info, log.warn = info, warn


def lora(**extra):
    d = {"dev_eui": DEV_EUI, "join_eui": JOIN_EUI, "app_key": APP_KEY}
    d.update(extra)
    return d


def setup(cycles, **extra):
    air, chip, radio = sx1262()
    net = Network(air)
    write_config(lora(**extra))
    return net, AppBoard(radio, cycles)


async def test_readings_leave_the_outbox_as_compact_uplinks():
    capture_log()
    net, board = setup(cycles=4, fair_use=False)
    await app.start(board)
    payloads = [u[2] for u in net.uplinks if u[1] == compact.FPORT]
    assert [p[0] for p in payloads] == [0, 1, 2, 3]  # seq mod 256 first: every reading, in order
    assert all(len(p) == 7 for p in payloads)  # a BME280: seq, n, ok bit, all, T, RH, p -> 7 bytes
    assert Outbox().load() is None  # nothing left queued
    assert [t for t in LOG if t.startswith("lora sent")] == ["lora sent seq=%d fcnt=%d" % (i, i) for i in range(4)]


async def test_the_app_chooses_mqtt_without_a_radio():
    import sys

    net, board = setup(cycles=1)
    from node import config

    cfg = config.load()
    assert app.uplink_for(board, cfg).__name__ == "LoraUplink" and "node.uplink" not in sys.modules
    board._radio = None
    assert app.uplink_for(board, cfg).__name__ == "Uplink"


async def test_confirmed_reading_stays_until_its_ack():
    capture_log()
    net, board = setup(cycles=2, confirmed=True, fair_use=False)
    first = [True]  # the join-accept gets through, the first ACK is lost
    real = net._answer

    def lose_first_ack(f, ack):
        if ack and first[0]:
            first[0] = False
            net.lose = 1
        real(f, ack)

    net._answer = lose_first_ack
    await app.start(board)
    seqs = [u[2][0] for u in net.uplinks]
    assert seqs[:2] == [0, 0]  # sent again with a new frame counter once the ACK was missing
    assert [u[0] for u in net.uplinks][:2] == [0, 1]
    assert "lora: no ACK for seq=0, kept; next try in 10 s" in LOG and Outbox().load() is None


async def test_fair_use_keeps_readings_in_the_outbox_and_says_so():
    capture_log()
    net, board = setup(cycles=3, dr=0)  # SF12: 1.5 s an uplink; 3 s of credit for a fresh node
    await app.start(board)
    sent = [u[2][0] for u in net.uplinks]
    assert 1 <= len(sent) <= 2
    waits = [t for t in LOG if t.startswith("lora wait fair_use")]
    assert waits and "queued from seq=" in waits[0]
    assert Outbox().load() == len(sent)  # the rest waits, oldest first


async def test_deep_sleep_keeps_the_session_and_counters_in_rtc_memory():
    air, chip, radio = sx1262()
    net = Network(air)
    write_config(lora(fair_use=False), ', "deep_sleep": true, "send_window_s": 20')
    board = AppBoard(radio, cycles=5)
    for wake in range(3):
        board.checks = 0
        board.cause = "deepsleep" if wake else "power"
        try:
            await app.start(board)
        except DeepSleep:
            pass
        assert rtcmem.get(board, rtcmem.LORAWAN) and rtcmem.get(board, rtcmem.APP)
        simtime.clock.elapsed += board.slept
    assert len(net.joins) == 1  # joined once, then the session came from RTC memory
    assert [u[0] for u in net.uplinks] == [0, 1, 2]  # counters exact: no block skipped
    assert [u[2][0] for u in net.uplinks] == [0, 1, 2]


async def test_cayenne_payload_on_fport_20():
    net, board = setup(cycles=2, fair_use=False, payload="cayenne")
    await app.start(board)
    ups = [u for u in net.uplinks if u[1] is not None]
    assert [u[1] for u in ups] == [20, 20]
    assert [u[2][:3] for u in ups] == [b"\x00\x00\x00", b"\x00\x00\x01"]  # channel 0, digital input: seq
    assert ups[0][2][3:5] == b"\x01\x67"  # channel 1: temperature (LPP type 103)
