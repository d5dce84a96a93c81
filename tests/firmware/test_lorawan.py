# The LoRaWAN MAC (node.net.lorawan) on a real SX1262 driver over the simulated chip, against a
# small network in the simulated air (lorasupport.Network): join, receive windows, counters on
# flash, duty cycle, fair use, MAC commands, ADR back-off, deep sleep.
from hal import simtime
from lorasupport import CFLIST, DEV_ADDR, Board, joined, lora_cfg, node
from node import clock, persist
from node.net import lorawan, lorawan_frames as lf


async def test_join_then_uplink_in_the_join_accepts_session():
    net, mac, board, air, chip = await joined()
    assert net.joins == [(0, net.joins[0][1], 7)]  # DevNonce 0, SF7 (DR5)
    assert net.joins[0][1] in (868100000, 868300000, 868500000)
    assert mac.dev_addr == DEV_ADDR and mac.rx1_delay == 1 and mac.rx2_dr == 3
    assert [mac.up_freq(ch) for ch in range(3, 8)] == list(CFLIST) and mac.mask == 0xFF
    assert persist.load_ints("lorawan/devnonce", 1) == [1]
    assert await mac.send(1, b"\x2a\x01", False) == lorawan.SENT
    fcnt, fport, payload, fopts, fctrl, freq, sf, end = net.uplinks[0]
    assert (fcnt, fport, payload) == (0, 1, b"\x2a\x01")
    assert fopts[:1] == b"\x02" and fctrl & lf.ADR  # LinkCheckReq after the join; ADR on
    assert chip.problems == []


async def test_join_accept_arrives_in_rx1_five_seconds_after_the_request():
    net, mac, board, air, chip = await node()
    start = simtime.clock.elapsed
    assert await mac.join()
    (start_us, freq, sf, phy), = net.sent
    assert sf == 7 and start_us == air.sent[-1].end_us + 5000000
    # the node listened until the frame's end, then went on: about 5 s after the request's end
    assert 5000 <= simtime.clock.elapsed - start <= 5200


async def test_join_accept_in_rx2_at_sf12_and_data_in_rx2_at_sf9():
    net, mac, board, air, chip = await node()
    net.window = 2
    assert await mac.join()
    assert net.sent[-1][1:3] == (869525000, 12)  # before the join: RX2 at DR0
    net.commands = b"\x06"  # DevStatusReq: makes the network answer
    assert await mac.send(1, b"x", False) == lorawan.SENT
    assert net.sent[-1][1:3] == (869525000, 9)  # after it: DR3 as the join-accept said
    assert await mac.send(1, b"y", False) == lorawan.SENT
    assert net.uplinks[-1][3] == bytes((0x06, 127, 7))  # battery 3750 mV -> 127 of 1..254, margin 7 dB


async def test_a_lost_join_accept_means_a_new_dev_nonce_after_a_random_gap():
    net, mac, board, air, chip = await node()
    net.lose = 1
    assert not await mac.join()
    wait = mac.join_wait_ms()
    assert 1000 <= wait <= 7000 or mac.why == "duty_cycle"
    await clock.sleep_ms(wait)
    assert mac.join_wait_ms() == 0
    assert await mac.join()
    assert [j[0] for j in net.joins] == [0, 1]  # the answer to 0 was lost: the next attempt takes 1
    assert [j[2] for j in net.joins] == [7, 7]


async def test_dev_nonce_and_frame_counter_survive_a_power_loss():
    from node.net.lorawan import Mac

    net, mac, board, air, chip = await joined()
    for i in range(40):
        await clock.sleep_ms(mac.wait_ms(2, False))
        assert await mac.send(1, b"%02d" % i, False) == lorawan.SENT
    assert [u[0] for u in net.uplinks] == list(range(40))
    assert persist.load_ints("lorawan/fcnt", 1) == [64]  # reserved 32 at a time: two writes for 40
    again = Mac(mac.radio, lora_cfg(), Board())  # power loss: RAM gone, flash kept
    assert again.joined and again.dev_addr == DEV_ADDR and again.fcnt_up == 64
    await clock.sleep_ms(again.wait_ms(2, False))
    assert await again.send(1, b"zz", False) == lorawan.SENT
    assert net.uplinks[-1][0] == 64  # never one of 0..63 again
    again.joined = False
    await clock.sleep_ms(again.join_wait_ms())
    assert await again.join()
    assert [j[0] for j in net.joins] == [0, 1]


def spy_on_flash(fail=None):
    # -> the list of (path, values) persist writes; writes to a path containing `fail` raise ENOSPC
    saves = []
    real = persist.save_ints

    def save(path, values):
        if fail and fail in path:
            raise OSError(28)
        saves.append((path, tuple(values)))
        real(path, values)

    persist.save_ints = save
    return saves


async def test_frame_counter_flash_writes_are_bounded():
    net, mac, board, air, chip = await joined()
    saves = spy_on_flash()
    for i in range(100):
        await clock.sleep_ms(mac.wait_ms(1, False))
        await mac.send(1, b"x", False)
    assert saves == [("lorawan/fcnt", (n,)) for n in (32, 64, 96, 128)]


async def test_no_uplink_when_the_flash_refuses_to_reserve_counters():
    net, mac, board, air, chip = await joined()
    spy_on_flash(fail="fcnt")
    assert await mac.send(1, b"x", False) == lorawan.NO_COUNTER
    assert net.uplinks == []


async def test_no_join_request_when_the_flash_refuses_the_dev_nonce():
    net, mac, board, air, chip = await node()
    spy_on_flash(fail="devnonce")
    assert not await mac.join()
    assert net.joins == [] and mac.join_wait_ms() > 3000000  # tried again in an hour


async def test_duty_cycle_of_the_default_sub_band():
    net, mac, board, air, chip = await node()
    assert await mac.join()
    mac.mask = 7  # only the three default channels, all in g1 (868.0-868.6 MHz, 1 %)
    await clock.sleep_ms(mac.wait_ms(1, False))
    assert await mac.send(1, b"x", False) == lorawan.SENT
    toa_ms = air.sent[-1].toa_us / 1000
    w = mac.wait_ms(1, False)
    assert mac.why == "duty_cycle"
    # 99 times the airtime after the end of the uplink, of which the receive windows took ~2 s
    assert 99 * toa_ms - 2200 < w <= 99 * toa_ms


async def test_fair_use_budget_of_a_fresh_node():
    net, mac, board, air, chip = await node(fair_use=True)
    t0 = simtime.clock.elapsed
    assert await mac.join()
    total = air.sent[-1].toa_us
    while True:
        w = mac.wait_ms(11, False)
        if mac.why == "fair_use":
            break
        await clock.sleep_ms(w)
        assert await mac.send(1, b"x" * 11, False) == lorawan.SENT
        total += air.sent[-1].toa_us
    # a burst of 3 s of airtime (the join-request's included), plus 27 s a day for the time it took
    allowed = 3000000 + (simtime.clock.elapsed - t0) * 5 // 16
    assert total <= allowed < total + 2 * air.sent[-1].toa_us
    assert 0 < w <= air.sent[-1].toa_us * 16 // 5 + 100
    assert mac.wait_ms(11, True) >= w


async def test_confirmed_uplinks_wait_for_downlink_credit():
    net, mac, board, air, chip = await node(fair_use=True, confirmed=True)
    assert await mac.join()  # the join-accept took one of the two downlinks in the bucket
    await clock.sleep_ms(mac.wait_ms(1, True))
    assert await mac.send(1, b"x", True) == lorawan.ACKED
    assert mac.wait_ms(1, True) > 10000000 and mac.why == "downlinks"  # the next ACK in about 3 h


async def test_confirmed_uplink_without_ack():
    net, mac, board, air, chip = await joined(confirmed=True)
    net.lose = 1
    assert await mac.send(1, b"x", True) == lorawan.NO_ACK
    await clock.sleep_ms(mac.wait_ms(1, True))
    assert await mac.send(1, b"x", True) == lorawan.ACKED
    assert [u[0] for u in net.uplinks] == [0, 1]


async def test_mac_commands_after_a_join_as_the_things_stack_sends_them():
    net, mac, board, air, chip = await joined()
    # LinkADRReq DR5 TXPower 1 mask 0x00ff NbTrans 1; DutyCycleReq 0; RXParamSetupReq offset 0,
    # DR3, 869.525 MHz; RXTimingSetupReq 5 s
    net.commands = bytes.fromhex("0351ff0001" "0400" "0503d2ad84" "0805")
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert (mac.dr, mac.power, mac.mask, mac.nbtrans, mac.max_dc) == (5, 1, 0xFF, 1, 0)
    assert (mac.rx1_offset, mac.rx2_dr, mac.rx2_freq, mac.rx1_delay) == (0, 3, 869525000, 5)
    await clock.sleep_ms(mac.wait_ms(1, False))
    assert await mac.send(1, b"b", False) == lorawan.SENT
    # sticky answers first (RXParamSetupAns, RXTimingSetupAns), then LinkADRAns, DutyCycleAns
    assert net.uplinks[-1][3] == bytes.fromhex("0507" "08" "0307" "04")
    await clock.sleep_ms(mac.wait_ms(1, False))
    assert await mac.send(1, b"c", False) == lorawan.SENT
    assert net.uplinks[-1][3] == bytes.fromhex("0507" "08")  # no downlink yet: repeated
    net.rx_delay = 5
    net.commands = b"\x06"
    assert await mac.send(1, b"d", False) == lorawan.SENT  # RX1 now 5 s after the uplink
    assert net.sent[-1][0] - net.uplinks[-1][7] == 5000000
    await clock.sleep_ms(mac.wait_ms(1, False))
    assert await mac.send(1, b"e", False) == lorawan.SENT
    assert net.uplinks[-1][3][:1] == b"\x06"  # the downlink ended the sticky ones; DevStatusAns


async def test_link_adr_refusals_change_nothing():
    net, mac, board, air, chip = await joined()
    net.commands = bytes.fromhex("0370000001")  # DR7 (FSK) and no channel at all
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert (mac.dr, mac.mask) == (5, 0xFF)
    await clock.sleep_ms(mac.wait_ms(1, False))
    await mac.send(1, b"b", False)
    assert net.uplinks[-1][3] == bytes((0x03, 0b100))  # power ok, data rate and mask refused
    # a block of two: the masks together, DR/power/NbTrans of the last; one answer each
    net.commands = bytes.fromhex("03ff070001" "0334ff0003")
    await clock.sleep_ms(mac.wait_ms(1, False))
    await mac.send(1, b"c", False)
    assert (mac.dr, mac.power, mac.mask, mac.nbtrans) == (3, 4, 0xFF, 3)


async def test_new_channel_dl_channel_and_the_defaults_that_stay():
    net, mac, board, air, chip = await joined()
    # NewChannelReq 8: 868.8 MHz DR0..5; the same for channel 0; DlChannelReq 8: 869.0 MHz
    net.commands = bytes.fromhex("0708809184" "50" "0700809184" "50" "0a08509984")
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert mac.up_freq(8) == 868800000 and mac.mask & 0x100
    assert mac.up_freq(0) == 868100000  # a default channel cannot be changed
    assert mac.dl_freq(8) == 869000000 and mac.dl_freq(0) == 868100000
    await clock.sleep_ms(mac.wait_ms(1, False))
    await mac.send(1, b"b", False)
    assert net.uplinks[-1][3] == bytes.fromhex("0a03" "0703" "0702")


async def test_device_time_sets_the_wall_clock():
    net, mac, board, air, chip = await joined()
    assert mac.want & lorawan.WANT_TIME and clock.epoch_ms(clock.ticks()) is None
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert net.uplinks[-1][3] == b"\x02\x0d"  # LinkCheckReq, DeviceTimeReq
    end_ms = net.uplinks[-1][7] // 1000
    gps = 1462752018  # 2026-05-14T00:00:00Z as GPS seconds (Unix 1778716800 - 315964800 + 18)
    net.commands = b"\x0d" + gps.to_bytes(4, "little") + b"\x80" + b"\x02\x14\x01"
    await clock.sleep_ms(mac.wait_ms(1, False))
    assert await mac.send(1, b"b", False) == lorawan.SENT
    tick = clock.ticks()
    expected = 1778716800000 + 500 + (simtime.clock.elapsed - net.uplinks[-1][7] // 1000)
    assert abs(clock.epoch_ms(tick) - expected) <= 2  # the driver sees TX done within a ms or two
    assert not mac.want & lorawan.WANT_TIME


async def test_replayed_downlink_is_dropped():
    net, mac, board, air, chip = await joined()
    net.commands = b"\x06"
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert mac.fcnt_down == 1
    old = net.sent[-1][3]
    from hal import simradio

    net.silent = True  # only the replayed frame comes
    await clock.sleep_ms(mac.wait_ms(1, False))
    t = clock.ticks()
    real_send = mac.radio.send

    async def send_then_replay(payload, at=None):
        tick = await real_send(payload, at)
        air.add(simradio.Transmission(air.sent[-1].end_us + 1000000, air.sent[-1].freq_hz, 7, 125, 5, old, crc=False,
                                      iq_inverted=True))
        return tick

    mac.radio.send = send_then_replay
    assert await mac.send(1, b"b", False) == lorawan.SENT
    assert mac.fcnt_down == 1  # the copy of counter 0 was refused (MIC with the next counter)


async def test_adr_backoff_without_downlinks():
    net, mac, board, air, chip = await joined()
    net.silent = True
    mac.power = 3
    seen = []
    for i in range(170):
        mac._bands = [clock.ticks()] * (lorawan.ALL_BANDS + 1)  # no duty cycle here: only the counting matters
        await mac.send(1, b"x", False)
        seen.append((mac.adr_cnt, mac.dr, mac.power, bool(air.sent[-1].payload[5] & lf.ADR_ACK_REQ)))
    assert seen[63][3] is False and seen[64][3] is True  # ADRACKReq from ADR_ACK_CNT 64 on
    assert seen[95][2] == 3 and seen[96][2] == 0  # default power after 64 + 32
    assert seen[127][1] == 5 and seen[128][1] == 4  # then one data rate lower every 32
    assert seen[160][1] == 3


async def test_deep_sleep_keeps_everything_in_rtc_memory():
    from node import rtcmem
    from node.net.lorawan import Mac

    net, mac, board, air, chip = await joined(fair_use=True)
    await clock.sleep_ms(mac.wait_ms(1, False))
    mac.max_dc = 12  # as after DutyCycleReq 1/4096: some 250 s off the air after a 60 ms frame
    await mac.send(1, b"a", False)
    off = clock.diff(mac._bands[lorawan.ALL_BANDS], clock.ticks())
    rtcmem.put(board, rtcmem.LORAWAN, mac.rtc(60000))
    woke = Board("deepsleep", board.rtc)
    again = Mac(mac.radio, lora_cfg(fair_use=True), woke)
    assert off > 200000 and abs(clock.diff(again._bands[lorawan.ALL_BANDS], clock.ticks()) - (off - 60000)) <= 5
    assert again.max_dc == 12
    assert again.joined and again.fcnt_up == 1 and again.fcnt_limit == 32  # exact: no block skipped
    assert (again.dev_addr, again.nwk, again.app, again.mask) == (mac.dev_addr, mac.nwk, mac.app, mac.mask)
    assert again._air == mac._air + 60000  # the credit the sleep will have added
    assert again._sticky == mac._sticky
    assert again.want == mac.want | lorawan.WANT_TIME  # no wall time in this test: the network is asked
    # after a power loss the RTC memory does not count
    lost = Mac(mac.radio, lora_cfg(fair_use=True), Board("power", board.rtc))
    assert lost.fcnt_up == 32 and lost._air == 0  # budgets start empty: the history is unknown


async def test_a_session_for_other_keys_is_not_used():
    from node.net.lorawan import Mac

    net, mac, board, air, chip = await joined()
    other = Mac(mac.radio, lora_cfg(app_key="00" * 16), Board())
    assert not other.joined


async def test_abp_session_from_the_config():
    from node.net.lorawan import Mac
    from radiosupport import sx1262

    air, chip, radio = sx1262()
    await radio.begin()
    cfg = lora_cfg(dev_addr="260B1234", nwk_s_key="00" * 15 + "01", app_s_key="00" * 15 + "02", join_eui=None,
                   app_key=None)
    mac = Mac(radio, cfg, Board())
    assert mac.joined and mac.dev_addr == 0x260B1234 and mac.rx2_dr == 3 and mac.rx1_delay == 1
    assert await mac.send(1, b"a", False) == lorawan.SENT
    frame = bytearray(air.sent[-1].payload)
    d = lf.parse_data(frame, len(frame), 0x260B1234, 0, mac.nwk, mac.app, down=False)
    assert d.fcnt == 0 and bytes(d.payload) == b"a"
    again = Mac(radio, cfg, Board())
    assert again.fcnt_up == 32


async def test_once_joined_the_mac_has_interned_what_a_downlink_with_mac_commands_loads():
    # The table of interned names grows by doubling, one large block at a time: a first import of
    # lorawan_mac hours into a run (a downlink with MAC commands) needed 14 KB in one piece, and on
    # a fragmented heap every later try failed too. Once joined, the MAC has interned its names,
    # so loading it later leaves nothing behind.
    import gc

    net, mac, board, air, chip = await joined()
    gc.collect()
    before = gc.mem_alloc()
    lorawan._module("lorawan_mac")
    lorawan._drop("lorawan_mac")
    assert gc.mem_alloc() - before < 64, gc.mem_alloc() - before


async def test_a_join_out_of_memory_after_the_session_still_gives_the_join_code_back():
    # The join's last step, its log line, runs out of memory: the node is joined (the session is
    # in place) and must not keep the join's modules, 11 KB of the heap, for the rest of its life.
    import sys

    from node import log

    net, mac, board, air, chip = await node()
    real = log.info

    def info(text):
        if isinstance(text, str) and text.startswith("lora joined"):
            raise MemoryError
        real(text)

    log.info = info
    try:
        await mac.join()
        failed = False
    except MemoryError:
        failed = True
    finally:
        log.info = real
    assert failed and mac.joined
    assert "node.net.lorawan_join" not in sys.modules and "node.net.lorawan_otaa" not in sys.modules
    assert await mac.send(1, b"x", False) == lorawan.SENT
    assert net.uplinks[-1][2] == b"x"


async def test_the_mac_keeps_within_a_37_entry_attribute_table():
    # The 38th attribute grows an instance's table to 47 entries: 752 bytes in one piece on the
    # 64-bit port (376 on an ESP32), needed while lorawan_state loads at boot. The config's keys,
    # ADR and fair-use flags are read from mac.lora instead of copied.
    net, mac, board, air, chip = await joined()
    await clock.sleep_ms(mac.wait_ms(2, True))
    await mac.send(1, b"hi", True)
    assert len(mac.__dict__) <= 37, sorted(mac.__dict__)
    again = lorawan.Mac(mac.radio, lora_cfg(), Board())  # a power loss: from flash
    assert again.joined and len(again.__dict__) <= 37


async def test_a_downlink_the_uplink_did_not_ask_for_is_paid_from_the_downlink_budget():
    net, mac, board, air, chip = await joined(fair_use=True)
    mac.want, mac._time_left = 0, 1 << 40  # nothing to ask the network for
    await clock.sleep_ms(mac.wait_ms(1, False))
    mac._dl = lorawan.DL_CAP
    net.commands = b"\x06"  # DevStatusReq: the network sends it unasked
    assert await mac.send(1, b"a", False) == lorawan.SENT
    assert net.sent and mac._dl == lorawan.DL_CAP - lorawan.DL_COST
