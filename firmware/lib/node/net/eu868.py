# EU863-870 for a LoRaWAN end device: the regional parameters of RP002-1.0.3 (section 2.4, "RP")
# that the MAC (net/lorawan.py) needs, and the duty cycle of each sub-band (ETSI EN 300 220-2,
# ERC Recommendation 70-03 annex 1, to which RP 2.4.x refers).
from micropython import const

MAX_DR = const(6)  # DR0..DR5: SF12..SF7 at 125 kHz, DR6: SF7 at 250 kHz; DR7 (FSK) is not supported
MAX_MAC_PAYLOAD = b"\x3b\x3b\x3b\x7b\xfa\xfa\xfa"  # M per DR (RP 2.4.6): 59, 59, 59, 123, 250, ...
DEFAULT_CHANNELS = (868100000, 868300000, 868500000)  # RP 2.4.2, DR0..DR5, never changed
CHANNELS = const(16)
RX2_FREQ = const(869525000)  # RP 2.4.7
RX2_DR = const(0)
RECEIVE_DELAY1_S = const(1)
JOIN_ACCEPT_DELAY1_MS = const(5000)  # RX2 one second later (TS001 6.2.6)
MAX_EIRP_DBM = const(16)  # RP 2.4.3; TXPower n means MaxEIRP - 2n dB, n = 0..7
ANTENNA_GAIN_DB = const(2)  # a typical stub antenna: conducted power = EIRP - 2 dB (14 dBm at TXPower 0)
LOWEST_FREQ = const(863000000)
HIGHEST_FREQ = const(870000000)

# Sub-bands: lowest Hz, highest Hz, duty cycle 1/n. A transmission of t on a sub-band keeps that
# sub-band silent for t * (n - 1) afterwards.
BANDS = (
    (863000000, 865000000, 1000),
    (865000000, 868000000, 100),
    (868000000, 868600000, 100),  # g1: the default channels
    (868700000, 869200000, 1000),
    (869400000, 869650000, 10),  # RX2 lies here
    (869700000, 870000000, 100),
)


def sf(dr):
    return 12 - dr if dr < 6 else 7


def bw(dr):
    return 250 if dr == 6 else 125


def band(freq):
    # -> index into BANDS, or -1 for a frequency outside every sub-band
    for i in range(len(BANDS)):
        if BANDS[i][0] <= freq <= BANDS[i][1]:
            return i
    return -1


def tx_dbm(power):
    # TXPower index (RP 2.4.3) -> conducted power in dBm
    return MAX_EIRP_DBM - 2 * power - ANTENNA_GAIN_DB
