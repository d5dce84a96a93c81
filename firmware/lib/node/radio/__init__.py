# LoRa radios: the contract every driver keeps, the maths they share, and the wrapper that waits.
# Semtech SX127x (sx127x.py) and SX126x (sx126x.py) behind one small non-blocking interface, the
# one a LoRaWAN MAC needs. The bus and pins are handed in by the HAL (hal.esp32.radio(),
# hal.sim.radio()); no driver imports machine. docs/radio.md has the whole story.
#
# A driver is a non-blocking core; the async methods at the end decide only how to wait.
#   ready                      True once init() has finished all its steps
#   init() -> ms               one step of reset/identify/calibrate; wait ms before the next call
#   configure(freq_hz, sf, bw_khz=125, cr=5, power_dbm=14, sync_word=0x34, preamble=8,
#             crc=True, iq_inverted=False)
#                              all settings at once, for the next send or receive; leaves the
#                              chip in standby. cr is the 5..8 of 4/5..4/8; sync_word 0x34 is
#                              the public LoRaWAN network, 0x12 private; downlinks are received
#                              with iq_inverted=True and crc=False (the gateway sends no CRC)
#   start_send(payload) -> ms  begin sending (1..255 bytes); poll after ms
#   poll_send() -> tick|None   None while sending; the clock tick (node.clock) at TX done
#   start_recv(symbols) -> ms  open a receive window now, closing after that many symbols
#                              without a preamble; poll every ms
#   poll_recv() -> Frame|False|None   None while listening (or receiving), False when the
#                              window closed empty or the frame was damaged, else the Frame
#   sleep()                    lowest power, settings kept; any call above wakes the chip
#   standby()                  stop sending or receiving
#   rx_lead_ms                 how long before a window the receive has to be started
#   symbol_us(), time_on_air_us(length)   for the settings configured
#   crc_errors                 frames dropped for a bad CRC or header since start
# Errors the chip causes (no answer, stuck BUSY, no TX done) raise RadioError; bad arguments
# raise ValueError.
from node import clock

SYNC_PUBLIC = 0x34  # LoRaWAN public networks (the chips' reset value 0x12 is "private")
SYNC_PRIVATE = 0x12

# The LoRa bandwidths in kHz, in the order of the SX127x RegModemConfig1 Bw codes 0..9 (DS 6.4);
# each is 500 kHz / n, so a symbol lasts 2**SF * 2n us, an exact integer (AN1200.13: Ts = 2**SF/BW).
BANDWIDTHS_KHZ = (7.8, 10.4, 15.6, 20.8, 31.25, 41.7, 62.5, 125, 250, 500)
_HALF_PERIODS = b"\x40\x30\x20\x18\x10\x0c\x08\x04\x02\x01"  # the n of 500 kHz / n
SF_MIN = 7  # SF5/SF6 need other formulas and header modes; LoRaWAN uses SF7..SF12
SF_MAX = 12
MAX_PAYLOAD = 255


class RadioError(Exception):
    pass


def bandwidth_code(bw_khz):
    # index into BANDWIDTHS_KHZ; ValueError names what is supported
    try:
        return BANDWIDTHS_KHZ.index(bw_khz)
    except ValueError:
        raise ValueError("radio: bandwidth %s kHz is none of %s" % (bw_khz, BANDWIDTHS_KHZ))


def symbol_us(sf, bw_khz):
    # AN1200.13: Ts = 2**SF / BW
    return (2 << sf) * _HALF_PERIODS[bandwidth_code(bw_khz)]


def low_data_rate(sf, bw_khz):
    # Low data rate optimisation is mandated when a symbol lasts longer than 16 ms (SX1276 DS
    # 4.1.1.6, SX1261 DS 6.1.1.4): SF11 and SF12 at 125 kHz, SF12 at 250 kHz.
    return symbol_us(sf, bw_khz) > 16000


def time_on_air_us(length, sf, bw_khz, cr=5, preamble=8, crc=True, explicit=True, ldro=None):
    # Semtech AN1200.13 (also SX1276 DS 4.1.1.7, SX1261 DS 6.1.4), SF7..SF12:
    #   Tpreamble = (preamble + 4.25) Ts
    #   payload symbols = 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) / (4 (SF - 2 DE))) * (CR + 4), 0)
    # with IH = 1 for an implicit header, DE = 1 with low data rate optimisation, CR + 4 = cr.
    # Counted in quarter symbols, so everything stays an integer.
    if ldro is None:
        ldro = low_data_rate(sf, bw_khz)
    bits = 8 * length - 4 * sf + 28 + (16 if crc else 0) - (0 if explicit else 20)
    per_block = 4 * (sf - 2 if ldro else sf)
    blocks = (bits + per_block - 1) // per_block if bits > 0 else 0
    quarters = 4 * preamble + 17 + 4 * (8 + blocks * cr)
    return quarters * symbol_us(sf, bw_khz) // 4


class Frame:
    # A received frame. The driver reuses one Frame and one buffer: payload (a memoryview) is
    # valid until the next receive, so copy what you keep.
    def __init__(self):
        self.payload = b""
        self.rssi = 0  # dBm
        self.snr = 0  # dB
        self.tick = 0  # clock tick when the driver saw RX done


def _in(name, value, lo, hi):
    if not lo <= value <= hi:
        raise ValueError("radio: %s %s not in %d..%d" % (name, value, lo, hi))


class Radio:
    # Shared state and maths of the chip drivers; a chip subclass provides init(), _apply() (write
    # the settings below to the chip), the send/receive/sleep steps and POWER_DBM = (lo, hi).
    POWER_DBM = (2, 20)
    rx_lead_ms = 1

    def __init__(self):
        self.ready = False
        self.freq_hz = 0  # 0 until configure()
        self.sf = 7
        self.bw_khz = 125
        self.cr = 5
        self.power_dbm = 14
        self.sync_word = SYNC_PUBLIC
        self.preamble = 8
        self.crc = True
        self.iq_inverted = False
        self.ldro = False
        self.crc_errors = 0
        self.frame = Frame()
        self._deadline = 0  # tick by which the chip must have answered a send or receive

    def configure(self, freq_hz, sf, bw_khz=125, cr=5, power_dbm=14, sync_word=SYNC_PUBLIC, preamble=8, crc=True,
                  iq_inverted=False):
        if not self.ready:
            raise RadioError("radio: configure() before init() finished")
        _in("freq_hz", freq_hz, 137000000, 1020000000)
        _in("sf", sf, SF_MIN, SF_MAX)
        bandwidth_code(bw_khz)
        _in("cr", cr, 5, 8)
        _in("power_dbm", power_dbm, self.POWER_DBM[0], self.POWER_DBM[1])
        _in("sync_word", sync_word, 0, 255)
        _in("preamble", preamble, 6, 65535)
        self.freq_hz = freq_hz
        self.sf = sf
        self.bw_khz = bw_khz
        self.cr = cr
        self.power_dbm = power_dbm
        self.sync_word = sync_word
        self.preamble = preamble
        self.crc = bool(crc)
        self.iq_inverted = bool(iq_inverted)
        self.ldro = low_data_rate(sf, bw_khz)
        self._apply()

    def symbol_us(self):
        return symbol_us(self.sf, self.bw_khz)

    def time_on_air_us(self, length):
        return time_on_air_us(length, self.sf, self.bw_khz, self.cr, self.preamble, self.crc, True, self.ldro)

    def _check_payload(self, payload):
        if not self.freq_hz:
            raise RadioError("radio: send before configure()")
        _in("payload length", len(payload), 1, MAX_PAYLOAD)

    def _start_deadline(self, us):
        # a chip that has not finished within us (plus a margin) is broken: poll_*() raises
        self._deadline = clock.add(clock.ticks(), us // 1000 + 100)

    def _late(self, what):
        if clock.diff(clock.ticks(), self._deadline) > 0:
            self.standby()
            raise RadioError("radio: no %s from the chip" % what)


class AsyncRadio:
    # Mixed into a chip driver: how to wait, through node.clock (so virtual time in the simulator).
    async def begin(self):
        # reset, identify and calibrate the chip
        while True:
            ms = self.init()
            if self.ready:
                return
            await clock.sleep_ms(ms)

    async def send(self, payload, at=None):
        # -> the clock tick at TX done; at: a tick to start at (default now)
        if at is not None:
            await clock.sleep_until(at)
        await clock.sleep_ms(self.start_send(payload))
        while True:
            tick = self.poll_send()
            if tick is not None:
                return tick
            await clock.sleep_ms(1)

    async def receive(self, at, symbols):
        # A receive window open at tick `at`, closing after `symbols` symbols without a preamble
        # -> the Frame heard, or None
        await clock.sleep_until(clock.add(at, -self.rx_lead_ms))
        step = self.start_recv(symbols)
        while True:
            await clock.sleep_ms(step)
            got = self.poll_recv()
            if got is not None:
                return got or None


def make(lora, spi, nss, reset, busy=None, dio0=None, dio1=None):
    # The async driver for a board file's `lora` entry (docs/boards.md), over the HAL's SPI bus and
    # pins (objects called with 0/1 to drive, without argument to read).
    chip = lora["chip"]
    if chip in ("sx1261", "sx1262"):
        from node.radio.sx126x import AsyncSX126x

        return AsyncSX126x(spi, nss, reset, busy, dio1, chip=chip, tcxo_v=lora.get("tcxo_v"),
                           dio2_rf_switch=lora.get("dio2_rf_switch", False))
    if chip in ("sx1276", "sx1277", "sx1278", "sx1279"):
        from node.radio.sx127x import AsyncSX127x

        return AsyncSX127x(spi, nss, reset, dio0, dio1)
    raise RadioError("radio: no driver for chip %r" % chip)
