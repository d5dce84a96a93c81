# The SX1276 driver (node.radio.sx127x) against the simulated SX1276 (hal/simradio.py).
import json
import os

from hal import simradio, simtime
from node.radio import RadioError, time_on_air_us
from radiosupport import (CALLS, CHANNELS, DATA_RATES, HELTEC, PMU, RX2, TTGO, esp32_with_board, now_ms, sx1262,
                          sx1276, uptime_ms, write_trace)
from support import raises


def frf(regs):
    return (regs[0x06] << 16) | (regs[0x07] << 8) | regs[0x08]


async def started(**chip_options):
    air, chip, radio = sx1276(**chip_options)
    await radio.begin()
    return air, chip, radio


async def test_init_resets_and_switches_to_lora_mode_in_sleep():
    air, chip, radio = await started()
    assert radio.ready
    assert chip.lora and chip.mode == "SLEEP"
    assert chip.regs[0x0E] == 0 and chip.regs[0x0F] == 0  # the whole FIFO for either direction
    assert now_ms() >= 6  # NRESET low 1 ms, then 5 ms until the chip may be used (DS 7.2.2)
    assert chip.problems == []


def test_lora_mode_is_refused_outside_sleep():
    air, chip, radio = sx1276()
    simtime.clock.elapsed += 10  # past the power-on wait
    bus = simradio.SPI(chip)
    assert chip.mode == "STDBY" and not chip.lora  # FSK standby after power-on

    def write(reg, value):
        chip.nss_pin(0)
        bus.write(bytes((reg | 0x80, value)))
        chip.nss_pin(1)

    write(0x01, 0x81)  # LoRa standby straight from FSK standby
    assert not chip.lora
    assert "LongRangeMode changed outside sleep" in chip.problems[0]
    write(0x1D, 0x72)  # a LoRa register while still in FSK mode
    assert "written in FSK/OOK mode" in chip.problems[1]
    write(0x01, 0x00)  # FSK sleep, then LoRa sleep: accepted
    write(0x01, 0x80)
    assert chip.lora and chip.mode == "SLEEP" and len(chip.problems) == 2


async def test_eu868_channels_and_data_rates_as_the_datasheet_sets_them():
    air, chip, radio = await started()
    known = {868100000: 0xD90666, 868300000: 0xD91333, 868500000: 0xD92000, 869525000: 0xD96199}
    r = chip.regs
    for freq in CHANNELS + (RX2,):
        for dr, sf in DATA_RATES:
            radio.configure(freq, sf)
            assert frf(r) == freq * 2 ** 19 // 32000000 == known[freq], (freq, hex(frf(r)))
            assert r[0x1D] == 0x72  # 125 kHz (7), CR 4/5 (1), explicit header
            assert r[0x1E] == (sf << 4) | 0x04  # CRC on
            assert r[0x26] == (0x0C if sf >= 11 else 0x04)  # LowDataRateOptimize at SF11/12, AGC on
            assert (r[0x20], r[0x21]) == (0, 8)
            assert r[0x39] == 0x34  # public LoRaWAN sync word
            assert (r[0x33], r[0x3B]) == (0x27, 0x1D)  # uplinks: IQ not inverted
            assert r[0x09] == 0x80 | 12 and r[0x4D] == 0x84  # PA_BOOST: 17 - (15 - 12) = 14 dBm
            assert chip.mode == "STDBY"
    assert chip.problems == []


async def test_plus_20_dbm_uses_the_high_power_dac_and_a_higher_current_limit():
    air, chip, radio = await started()
    radio.configure(868100000, 7, power_dbm=20)
    assert chip.regs[0x4D] == 0x87 and chip.regs[0x09] == 0x8F
    assert chip.ocp_ma() == 140 and chip.power_dbm() == 20
    await radio.send(b"\x00" * 10)
    assert air.sent[-1].power_dbm == 20
    radio.configure(868100000, 7, power_dbm=17)
    assert chip.regs[0x4D] == 0x84 and chip.regs[0x09] == 0x8F and chip.ocp_ma() == 100
    assert chip.problems == []
    assert raises(ValueError, radio.configure, 868100000, 7, 125, 5, 21).args[0] == "radio: power_dbm 21 not in 2..20"


async def test_tx_done_comes_after_the_time_on_air():
    air, chip, radio = await started()
    payload = bytes(range(24))
    for sf, toa in ((7, 61696), (12, 1482752)):
        radio.configure(868300000, sf)
        start = now_ms()
        tick = await radio.send(payload)
        f = air.sent[-1]
        assert f.toa_us == toa and f.end_us - f.start_us == toa
        assert 0 <= tick - uptime_ms(f.end_us) <= radio.symbol_us() // 1000 + 1, (tick, uptime_ms(f.end_us))
        assert abs((tick - start) - toa // 1000) <= radio.symbol_us() // 1000 + 1
        assert (f.freq_hz, f.sf, f.bw_khz, f.cr, f.power_dbm, f.payload) == (868300000, sf, 125, 5, 14, payload)
        assert not f.iq_inverted and f.crc and f.ldro == (sf == 12)
        assert chip.mode == "STDBY" and chip.regs[0x40] >> 6 == 1  # DIO0 was TxDone
    assert air.count == 2
    line = air.tx_line(air.sent[0])
    assert line.split(" ", 1)[1] == ("I radio tx freq=868300000 sf=7 bw=125 cr=5 dbm=14 toa=61.7 phy="
                                     "000102030405060708090a0b0c0d0e0f1011121314151617")
    assert int(line.split()[0]) == uptime_ms(air.sent[0].end_us)


async def test_receive_window_catches_a_downlink_sent_inside_it():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    assert (chip.regs[0x33], chip.regs[0x3B]) == (0x66, 0x19)  # RX (and TX) IQ inverted
    at = now_ms() + 1000
    air.inject(at + 5, RX2, 9, b"\x60downlink", rssi=-97, snr=-3)
    frame = await radio.receive(at, 8)
    assert frame is not None and bytes(frame.payload) == b"\x60downlink"
    assert (frame.rssi, frame.snr) == (-97, -3)
    assert frame.tick >= uptime_ms(at * 1000 + 5000 + time_on_air_us(9, 9, 125, crc=False))
    assert chip.mode == "STDBY" and chip.problems == []


async def test_receive_window_misses_frames_outside_it_or_on_other_settings():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    sym = 4096  # us at SF9
    cases = (
        ("after the window closed", dict(t=9, freq=RX2, sf=9)),  # window: 8 symbols = 32.8 ms
        ("preamble over before it opened", dict(t=-30, freq=RX2, sf=9)),
        ("other SF", dict(t=2, freq=RX2, sf=10)),
        ("other frequency", dict(t=2, freq=868500000, sf=9)),
        ("not inverted (an uplink)", dict(t=2, freq=RX2, sf=9, iq_inverted=False)),
        ("private sync word", dict(t=2, freq=RX2, sf=9, sync_word=0x12)),
    )
    for name, c in cases:
        at = now_ms() + 1000
        start = at + (c["t"] * sym) // 1000
        air.inject(start, c["freq"], c["sf"], b"lost", iq_inverted=c.get("iq_inverted", True),
                   sync_word=c.get("sync_word", 0x34))
        got = await radio.receive(at, 8)
        assert got is None, name
        assert now_ms() - at <= 8 * sym // 1000 + 2 * radio.symbol_us() // 1000 + 1, (name, now_ms() - at)
    at = now_ms() + 1000
    air.inject(at + 8, RX2, 9, b"heard")  # the control: inside the window, everything right
    assert bytes((await radio.receive(at, 8)).payload) == b"heard"


async def test_two_frames_overlapping_on_a_channel_are_both_lost():
    air, chip, radio = await started()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    at = now_ms() + 1000
    air.inject(at + 2, RX2, 9, b"one")
    air.inject(at + 30, RX2, 9, b"two, over the first one")
    assert await radio.receive(at, 8) is None


async def test_sleep_between_uses():
    air, chip, radio = await started()
    radio.configure(868100000, 7)
    radio.sleep()
    assert chip.mode == "SLEEP" and chip.lora
    await radio.send(b"first")  # wakes the chip; the FIFO is written in standby
    radio.sleep()
    assert chip.mode == "SLEEP"
    await radio.send(b"second")
    radio.sleep()
    assert [bytes(f.payload) for f in air.sent] == [b"first", b"second"]
    assert chip.problems == []


async def test_fifo_written_outside_standby_is_refused():
    air, chip, radio = await started()
    radio.configure(RX2, 9, iq_inverted=True)
    radio.start_recv(8)  # RX single
    chip.fifo[0] = 0xAA
    radio._write_many(0, b"\x55")
    assert chip.fifo[0] == 0xAA
    assert "FIFO written in LoRa mode RXSINGLE: refused" in chip.problems[0]


async def test_no_chip_is_an_error_naming_what_answered():
    e = None
    try:
        await started(version=0x00)
    except RadioError as err:
        e = err
    assert e is not None and "RegVersion is 0x00" in e.args[0]


def test_spi_before_the_reset_wait_is_ignored():
    air, chip, radio = sx1276()
    radio.init()  # NRESET low
    radio.init()  # released: 5 ms until the chip answers
    assert radio._read(0x42) == 0
    assert "less than 5 ms after reset" in chip.problems[0]
    simtime.clock.elapsed += 5
    assert radio._read(0x42) == 0x12


async def test_dio_pins_spare_spi_reads_while_waiting():
    air, chip, radio = await started()
    radio.configure(868100000, 12)
    bus = radio._spi
    radio.start_send(b"x" * 20)
    before = bus.transfers
    for _ in range(10):
        assert radio.poll_send() is None  # DIO0 low: no SPI
    assert bus.transfers == before
    air2, chip2, bare = sx1276(lora={"chip": "sx1276"})  # no DIO pins: the driver reads RegIrqFlags
    await bare.begin()
    bare.configure(868100000, 12)
    bare.start_send(b"x" * 20)
    before = bare._spi.transfers
    assert bare.poll_send() is None and bare._spi.transfers > before


def test_polling_allocates_nothing():
    from node.radio.sx127x import SX127x
    from radiosupport import NullSPI, null_pin, polling_allocates

    simtime.clock.start(0, 0)
    assert polling_allocates(SX127x(NullSPI(), null_pin, null_pin, null_pin, null_pin)) < 200  # not per poll
    assert polling_allocates(SX127x(NullSPI(), null_pin, null_pin)) < 200  # no DIO pins: SPI reads


async def test_a_chip_that_never_finishes_is_an_error():
    air, chip, radio = await started()
    radio.configure(868100000, 7)
    radio.start_send(b"x")
    chip._schedule(None)  # the TX done never comes
    chip._tx = None
    simtime.clock.elapsed += 200
    assert "no TX done" in raises(RadioError, radio.poll_send).args[0]


async def test_trace_downlink_records_reach_the_window():
    write_trace("t.jsonl", "ttgo-lora32-v2.1", [
        {"t": 0, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"},
        {"t": 3000, "radio": "down", "freq_hz": RX2, "sf": 9, "bw_khz": 125, "phy": "60aabbccdd", "rssi": -71, "snr": 9},
        {"t": 9000, "radio": "down", "freq_hz": 868100000, "sf": 7, "phy": "20ff"},
    ])
    simtime.clock.start(0, 0)
    air = simradio.Air()
    radio = simradio.radio(TTGO, "t.jsonl", air)
    await radio.begin()
    radio.configure(RX2, 9, crc=False, iq_inverted=True)
    frame = await radio.receive(2998, 8)
    assert bytes(frame.payload) == bytes.fromhex("60aabbccdd") and frame.rssi == -71 and frame.snr == 9
    radio.configure(868100000, 7, crc=False, iq_inverted=True)
    assert await radio.receive(8990, 8) is None  # closes 8.2 ms later, before the frame
    assert simradio.radio_record({"t": 1, "radio": "down", "freq_hz": RX2, "sf": 9, "phy": "00"}, air)
    assert not simradio.radio_record({"t": 1, "bus": "i2c0", "addr": 1}, air)
    e = raises(ValueError, simradio.radio_record, {"t": 5, "radio": "down", "sf": 9, "phy": "00"}, air)
    assert e.args[0] == "trace: radio record at t=5 lacks freq_hz"



class _HostAnswers:
    # stdin as the simulator reads the host's answers to its windows: at read number `cut` the heap
    # runs out, as in a readline whose string could not grow, with the first bytes of that line taken
    def __init__(self, lines, cut):
        self.lines = lines
        self.cut = cut
        self.stdin = self

    def readline(self):
        line = self.lines.pop(0) if self.lines else ""
        self.cut -= 1
        if self.cut == 0:
            self.lines.insert(0, line[7:])
            raise MemoryError
        return line


def test_a_window_whose_answer_ran_out_of_memory_leaves_the_next_window_its_own():
    # The simulator shares the firmware's heap: a MemoryError while it read the host's answer to
    # one window left the rest unread, and every later window got the answer meant for the one
    # before (a LoRa node that ran out of memory once in a join never heard a join-accept again).
    simtime.clock.start(0, 0)
    air = simradio.Air()
    rx = simradio.Transmission(0, RX2, 9, 125, 5, b"", crc=False, iq_inverted=True)
    first = {"t": 1000, "radio": "down", "freq_hz": RX2, "sf": 9, "phy": "60aa"}
    second = {"t": 3000, "radio": "down", "freq_hz": RX2, "sf": 9, "phy": "60bb"}
    host = _HostAnswers([json.dumps(first) + "\n", "end 1\n", json.dumps(second) + "\n", "end 2\n", ""], cut=1)
    real = simradio.sys
    simradio.sys = host
    try:
        raises(MemoryError, air.ask_host, rx)
        air.ask_host(rx)  # passes over the rest of the first answer, then reads its own
        assert host.lines == [""]
    finally:
        simradio.sys = real
    assert [bytes(f.payload) for f in air.frames] == [b"\x60\xbb"]

def test_esp32_builds_the_driver_from_the_ttgo_board_file():
    esp32 = esp32_with_board("ttgo-lora32-v2.1")
    radio = esp32.radio()
    assert type(radio).__name__ == "AsyncSX127x"
    assert ("spi", 1, 8000000, 0, 0, 5, 27, 19) in CALLS
    assert ("pin", 18, 2, 1) in CALLS  # NSS: output, high (deselected)
    assert ("pin", 23, 7, 1) in CALLS  # NRESET: open drain, released to float
    assert ("pin", 26, 1, None) in CALLS and ("pin", 33, 1, None) in CALLS  # DIO0, DIO1 inputs
    assert not [c for c in CALLS if c[0] == "i2c"]  # no power chip on this board
    assert esp32.radio() is radio  # made once


def test_esp32_switches_on_the_t_beam_radio_supply_first():
    esp32 = esp32_with_board("tbeam")
    PMU.writes.clear()
    radio = esp32.radio()
    assert type(radio).__name__ == "AsyncSX127x"
    assert [c[:4] for c in CALLS if c[0] == "i2c"] == [("i2c", 0, 22, 21)]
    assert PMU.writes == [(0x28, b"\xff"), (0x12, bytes((0x4D | 0x04,)))]
    assert PMU.regs[0x28] >> 4 == 15  # LDO2: 1.8 V + 15 * 100 mV = 3.3 V; LDO3's 0xF kept
    assert PMU.regs[0x12] == 0x4D | 0x04  # LDO2 on, the others as they were


def test_sim_radio_takes_the_board_files_radio():
    from hal import boardfile, sim

    write_trace("t.jsonl", "tbeam")
    os.putenv("RL_TRACE", "t.jsonl")
    for lora, kind in ((TTGO, "SX1276"), (HELTEC, "SX1262")):
        with open("board.json", "w") as f:
            json.dump({"lora": lora, "spi": {lora["spi"]: {"id": 1, "sck": 5, "mosi": 27, "miso": 19}}}, f)
        boardfile._board = None
        sim._radio = None
        radio = sim.radio()
        assert type(radio._spi.chips[0]).__name__ == kind
        assert sim.radio() is radio
    with open("board.json", "w") as f:
        json.dump({"name": "esp32-devkitc"}, f)  # no radio on that board
    boardfile._board = None
    sim._radio = None
    assert sim.radio() is None

async def test_the_simulated_chips_make_every_attribute_when_built():
    # The replay charges the simulator's heap share as measured just after the chip is built: an
    # attribute first set in use would grow its table inside the firmware's budget (a LoRa node's
    # boot failed at 124K on the SX1262's first select, allocating 944 bytes).
    for make_chip in (sx1276, sx1262):
        air, chip, radio = make_chip()
        built = sorted(chip.__dict__)
        await radio.begin()
        radio.configure(868100000, 7)
        await radio.send(b"uplink")
        radio.configure(RX2, 9, crc=False, iq_inverted=True)
        await radio.receive(now_ms() + 1000, 8)
        radio.sleep()
        assert sorted(chip.__dict__) == built, (chip.name, sorted(set(chip.__dict__) - set(built)))
