# The SX1262 driver (node.radio.sx126x) against the simulated SX1262 (hal/simradio.py).
from hal import simradio, simtime
from node.radio import RadioError
from radiosupport import CALLS, CHANNELS, DATA_RATES, HELTEC, RX2, esp32_with_board, now_ms, sx1262, uptime_ms

SET_RF_FREQUENCY, SET_MODULATION, SET_PACKET, SET_TX_PARAMS, SET_PA = 0x86, 0x8B, 0x8C, 0x8E, 0x95
CALIBRATE, CALIBRATE_IMAGE, TCXO, RF_SWITCH, PACKET_TYPE = 0x89, 0x98, 0x97, 0x9D, 0x8A


async def started(lora=HELTEC, **chip_options):
    air, chip, radio = sx1262(lora, **chip_options)
    chip.log = []
    await radio.begin()
    return air, chip, radio


async def test_init_powers_the_tcxo_on_dio3_calibrates_and_switches_the_antenna_with_dio2():
    air, chip, radio = await started()
    assert radio.ready and chip.problems == []
    assert chip.last[TCXO] == bytes((0x02, 0x00, 0x01, 0x40))  # 1.8 V, 5 ms = 320 * 15.625 us
    assert chip.last[CALIBRATE] == b"\x7f"  # all blocks, after the TCXO has power
    assert chip.errors == 0  # the power-up XOSC_START_ERR was cleared, the new calibration is clean
    assert chip.last[RF_SWITCH] == b"\x01"
    assert chip.last[PACKET_TYPE] == b"\x01"  # LoRa
    assert chip.last[0x96] == b"\x01"  # DC-DC regulator
    assert chip.last[0x8F] == b"\x00\x00"  # TX and RX buffers at 0
    assert chip.last[0x08] == bytes((0x02, 0x63, 0x02, 0x63, 0, 0, 0, 0))  # TxDone, RxDone, errors, Timeout on DIO1
    assert chip.regs[0x08D8] & 0x1E == 0x1E  # erratum 15.2
    order = [c[0] for c in chip.log]
    assert order.index(TCXO) < order.index(CALIBRATE) < order.index(PACKET_TYPE)


async def test_without_the_tcxo_the_calibration_fails():
    lora = dict(HELTEC, tcxo_v=None)  # a driver told of no TCXO, on the Heltec's TCXO board
    e = None
    try:
        await started(lora)
    except RadioError as err:
        e = err
    assert e is not None and "device errors 0x0020" in e.args[0]


async def test_eu868_channels_and_data_rates_as_the_datasheet_sets_them():
    air, chip, radio = await started()
    for freq in CHANNELS + (RX2,):
        for dr, sf in DATA_RATES:
            radio.configure(freq, sf)
            rf = freq * 2 ** 25 // 32000000
            assert chip.last[SET_RF_FREQUENCY] == bytes((rf >> 24, (rf >> 16) & 0xFF, (rf >> 8) & 0xFF, rf & 0xFF))
            ldro = 1 if sf >= 11 else 0
            assert chip.last[SET_MODULATION] == bytes((sf, 0x04, 0x01, ldro)), (sf, chip.last[SET_MODULATION])
            assert chip.last[SET_PACKET] == bytes((0, 8, 0, 255, 1, 0))  # explicit header, CRC on, IQ standard
            assert (chip.regs[0x0740], chip.regs[0x0741]) == (0x34, 0x44)  # public sync word
            assert chip.regs[0x0736] & 0x04  # standard IQ: bit 2 set (15.4)
            assert chip.last[SET_PA] == b"\x04\x07\x00\x01"  # SX1262 high-power PA
            assert chip.last[SET_TX_PARAMS] == bytes((14, 0x02))  # 14 dBm, 40 us ramp
    assert chip.last[SET_RF_FREQUENCY] == bytes.fromhex("36586666")  # 869.525 MHz
    assert chip.problems == []


async def test_image_is_calibrated_once_for_863_to_870_mhz():
    air, chip, radio = await started()
    radio.configure(868100000, 7)
    radio.configure(869525000, 9)
    radio.configure(868500000, 12)
    images = [c for c in chip.log if c[0] == CALIBRATE_IMAGE]
    assert images == [bytes((CALIBRATE_IMAGE, 0xD7, 0xDB))]
    assert chip.image == (0xD7, 0xDB)


async def test_every_command_waits_for_busy_low():
    air, chip, radio = await started()
    radio.configure(868100000, 9)
    await radio.send(b"uplink")
    radio.sleep()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    await radio.receive(now_ms() + 1000, 8)
    assert chip.problems == []  # the chip saw no command while BUSY was high
    # the same without the handshake: commands get lost
    air, chip, radio = await started()
    radio._wait_busy = lambda: None
    radio.configure(868100000, 9)
    assert [p for p in chip.problems if "while BUSY was high" in p]


async def test_tx_done_comes_after_the_time_on_air():
    air, chip, radio = await started()
    payload = bytes(range(24))
    for sf, toa in ((7, 61696), (12, 1482752)):
        radio.configure(868500000, sf)
        tick = await radio.send(payload)
        f = air.sent[-1]
        assert f.toa_us == toa and f.end_us - f.start_us == toa
        assert 0 <= tick - uptime_ms(f.end_us) <= radio.symbol_us() // 1000 + 1, (tick, uptime_ms(f.end_us))
        assert (f.freq_hz, f.sf, f.bw_khz, f.cr, f.power_dbm, f.payload) == (868500000, sf, 125, 5, 14, payload)
        assert f.ldro == (sf == 12) and not f.iq_inverted
        assert chip.last[SET_PACKET][3] == 24  # the payload length for this frame
        assert chip.mode == "STDBY_RC"
    assert chip.problems == []


async def test_receive_window_catches_a_downlink_sent_inside_it():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    assert chip.last[SET_PACKET] == bytes((0, 8, 0, 255, 0, 1))  # no CRC, inverted IQ
    assert not chip.regs[0x0736] & 0x04  # erratum 15.4: bit 2 cleared for inverted IQ
    at = now_ms() + 1000
    air.inject(at + 5, RX2, 9, b"\x20join-accept", rssi=-88, snr=-5)
    frame = await radio.receive(at, 8)
    assert frame is not None and bytes(frame.payload) == b"\x20join-accept"
    assert (frame.rssi, frame.snr) == (-88, -5)
    assert chip.last[0xA0] == b"\x08"  # SetLoRaSymbNumTimeout
    assert chip.problems == []


async def test_receive_window_misses_frames_outside_it_or_on_other_settings():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    sym = 4096
    for name, t, freq, sf, inverted in (("late", 9, RX2, 9, True), ("early", -30, RX2, 9, True),
                                        ("other SF", 2, RX2, 8, True), ("other channel", 2, 868100000, 9, True),
                                        ("uplink IQ", 2, RX2, 9, False)):
        at = now_ms() + 1000
        air.inject(at + t * sym // 1000, freq, sf, b"lost", iq_inverted=inverted)
        assert await radio.receive(at, 8) is None, name
        assert now_ms() - at <= 8 * sym // 1000 + 2 * sym // 1000 + 1, (name, now_ms() - at)
    at = now_ms() + 1000
    air.inject(at + 8, RX2, 9, b"heard")
    assert bytes((await radio.receive(at, 8)).payload) == b"heard"


async def test_inverted_iq_needs_the_erratum_register():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    radio._write_register(0x0736, chip.regs[0x0736] | 0x04)  # undo the fix of 15.4
    at = now_ms() + 1000
    air.inject(at + 5, RX2, 9, b"downlink")
    assert await radio.receive(at, 8) is None
    assert "inverted IQ with bit 2 of register 0x0736 set (DS 15.4)" in chip.problems[0]


async def test_sleep_between_uses():
    air, chip, radio = await started()
    radio.configure(868100000, 7)
    radio.sleep()
    assert chip.mode == "SLEEP" and chip.busy_pin() == 1  # BUSY stays high while asleep
    assert chip.last[0x84] == b"\x04"  # warm start: the configuration is kept
    await radio.send(b"first")  # NSS wakes the chip; then BUSY low again
    radio.sleep()
    await radio.send(b"second")
    radio.sleep()
    assert [f.payload for f in air.sent] == [b"first", b"second"]
    assert chip.last[SET_RF_FREQUENCY] == bytes.fromhex("36419999") and chip.freq_hz == 868100000
    assert chip.problems == []


async def test_without_the_dio2_switch_nothing_reaches_the_antenna():
    lora = dict(HELTEC, dio2_rf_switch=False)
    air, chip, radio = await started(lora)
    radio.configure(868100000, 7)
    await radio.send(b"x")  # TX done comes, but the frame stays on the board
    assert air.sent == [] and "DIO2 not driving the antenna switch" in chip.problems[0]


def test_polling_allocates_nothing():
    from node.radio.sx126x import SX126x
    from radiosupport import NullSPI, null_pin, polling_allocates

    simtime.clock.start(0, 0)
    assert polling_allocates(SX126x(NullSPI(), null_pin, null_pin, null_pin, null_pin)) < 200  # not per poll
    assert polling_allocates(SX126x(NullSPI(), null_pin, null_pin, null_pin)) < 200  # no DIO1: SPI reads


async def test_no_chip_on_the_bus_is_an_error():
    from node.radio import make

    resets = []

    async def error(radio):
        try:
            await radio.begin()
        except RadioError as e:
            return e.args[0]

    simtime.clock.start(0, 0)
    reset = simradio.Pin(write=resets.append)
    floating = make(HELTEC, simradio.SPI(), simradio.Pin(), reset, busy=simradio.Pin(level=1))
    assert await error(floating) == "sx126x: BUSY stays high"  # BUSY pulled up, nobody drives it
    assert await error(floating) == "sx126x: BUSY stays high"
    assert resets == [0, 1, 0, 1]  # the second try started over with a reset
    low = make(HELTEC, simradio.SPI(), simradio.Pin(), simradio.Pin(), busy=simradio.Pin(level=0))
    assert await error(low) == "sx126x: no chip answers on SPI (status 0xff)"  # MISO floats high


def test_esp32_builds_the_driver_from_the_heltec_board_file():
    esp32 = esp32_with_board("heltec-wifi-lora32-v3")
    radio = esp32.radio()
    assert type(radio).__name__ == "AsyncSX126x"
    assert ("spi", 1, 8000000, 0, 0, 9, 10, 11) in CALLS
    assert ("pin", 8, 2, 1) in CALLS  # NSS
    assert ("pin", 12, 2, 1) in CALLS  # NRESET: driven high
    assert ("pin", 13, 1, None) in CALLS and ("pin", 14, 1, None) in CALLS  # BUSY, DIO1
    assert radio._tcxo_code == 2 and radio._dio2_rf_switch and radio.rx_lead_ms == 6


async def test_sim_radio_for_the_heltec_hears_the_trace():
    import os

    import json

    from hal import boardfile, sim
    from radiosupport import write_trace

    write_trace("t.jsonl", "heltec-wifi-lora32-v3", [
        {"t": 2000, "radio": "down", "freq_hz": RX2, "sf": 12, "phy": "60010203", "snr": -12, "rssi": -118},
    ])
    os.putenv("RL_TRACE", "t.jsonl")
    with open("board.json", "w") as f:
        json.dump({"lora": HELTEC, "spi": {"spi1": {"id": 1, "sck": 9, "mosi": 10, "miso": 11}}}, f)
    boardfile._board = None
    sim._radio = None
    simtime.clock.start(0, 0)
    radio = sim.radio()
    chip = radio._spi.chips[0]
    assert type(chip) is simradio.SX1262 and chip.tcxo_v == 1.8 and chip.board_rf_switch
    await radio.begin()
    radio.configure(RX2, 12, crc=False, iq_inverted=True)
    frame = await radio.receive(1990, 8)
    assert bytes(frame.payload) == b"\x60\x01\x02\x03" and frame.snr == -12 and frame.rssi == -118
    assert chip.problems == []
