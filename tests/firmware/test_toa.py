# Time on air (Semtech AN1200.13), symbol time and the low data rate optimisation rule.
from node.radio import BANDWIDTHS_KHZ, low_data_rate, symbol_us, time_on_air_us
from radiosupport import sx1276
from support import raises


def reference_ms(length, sf, bw_khz, cr=5, preamble=8, crc=True, explicit=True):
    # AN1200.13 written out once more, in floats, apart from the firmware's integer version
    import math

    ts = 2 ** sf / bw_khz  # ms
    de = 1 if ts > 16 else 0
    n = 8 + max(math.ceil((8 * length - 4 * sf + 28 + 16 * crc - 20 * (not explicit)) / (4 * (sf - 2 * de))) * cr, 0)
    return (preamble + 4.25) * ts + n * ts


def test_worked_figures_of_the_lorawan_uplink():
    # explicit header, CRC on, preamble 8, CR 4/5, LDRO at SF11/12 on 125 kHz
    assert time_on_air_us(24, 7, 125) == 61696  # 61.7 ms: 12.25 + 48 symbols of 1.024 ms
    assert time_on_air_us(24, 12, 125) == 1482752  # 1482.8 ms: 12.25 + 33 symbols of 32.768 ms
    assert time_on_air_us(36, 12, 125) == 1974272  # 1974.3 ms: 12.25 + 48 symbols


def test_symbol_time_is_two_to_the_sf_over_the_bandwidth():
    assert symbol_us(7, 125) == 1024
    assert symbol_us(12, 125) == 32768
    assert symbol_us(7, 250) == 512
    assert symbol_us(12, 500) == 8192
    assert symbol_us(7, 62.5) == 2048
    assert symbol_us(9, 7.8) == 65536  # 7.8 kHz is 500 / 64 kHz exactly
    assert raises(ValueError, symbol_us, 7, 200).args[0].startswith("radio: bandwidth 200")


def test_low_data_rate_optimisation_above_16_ms_symbols():
    assert [sf for sf in range(7, 13) if low_data_rate(sf, 125)] == [11, 12]
    assert [sf for sf in range(7, 13) if low_data_rate(sf, 250)] == [12]
    assert not any(low_data_rate(sf, 500) for sf in range(7, 13))


def test_formula_against_the_reference_over_settings():
    for length in (1, 13, 24, 51, 115, 222, 255):
        for sf in range(7, 13):
            for bw in (125, 250, 500):
                for cr in (5, 8):
                    for crc, explicit in ((True, True), (False, True), (False, False)):
                        got = time_on_air_us(length, sf, bw, cr, 8, crc, explicit) / 1000
                        want = reference_ms(length, sf, bw, cr, 8, crc, explicit)
                        assert abs(got - want) < 0.001, (length, sf, bw, cr, crc, explicit, got, want)
    for bw in BANDWIDTHS_KHZ[:7]:  # the narrow bandwidths: 500 kHz / n
        assert abs(time_on_air_us(10, 9, bw) / 1000 - reference_ms(10, 9, 500 / round(500 / bw))) < 0.001


def test_downlink_without_crc_and_a_longer_preamble():
    assert time_on_air_us(17, 9, 125, crc=False) == (12.25 + 8 + 4 * 5) * 4096  # ceil(128 / 36) = 4 blocks
    assert time_on_air_us(17, 9, 125, preamble=16, crc=False) == time_on_air_us(17, 9, 125, crc=False) + 8 * 4096


async def test_driver_gives_the_time_on_air_of_what_it_is_set_to():
    air, chip, radio = sx1276()
    await radio.begin()
    radio.configure(868100000, 12)
    assert radio.ldro and radio.symbol_us() == 32768
    assert radio.time_on_air_us(36) == 1974272
    radio.configure(869525000, 9, crc=False, iq_inverted=True)
    assert radio.time_on_air_us(17) == time_on_air_us(17, 9, 125, crc=False)
