# Semtech SX1276/77/78/79 in LoRa mode ("DS": datasheet rev. 7, May 2020). The boards wire only
# PA_BOOST to the antenna (TTGO LoRa32, T-Beam), so every power goes out there.
# SPI (DS 4.3): first byte = wnr bit (1 = write) | 7-bit address, then data, auto-incrementing;
# address 0x00 is the FIFO at RegFifoAddrPtr.
from micropython import const

from node import clock
from node.radio import AsyncRadio, Radio, RadioError, bandwidth_code

# Registers in LoRa mode (DS 6.1, 6.4)
_REG_FIFO = const(0x00)
_REG_OP_MODE = const(0x01)  # 7 LongRangeMode (written in sleep only), 3 LowFrequencyModeOn, 2-0 mode
_REG_FRF_MSB = const(0x06)  # 0x06-0x08, MSB first
_REG_PA_CONFIG = const(0x09)  # 7 PaSelect (1 = PA_BOOST), 3-0 OutputPower
_REG_OCP = const(0x0B)  # 5 OcpOn, 4-0 OcpTrim (DS 5.4.4)
_REG_LNA = const(0x0C)
_REG_FIFO_ADDR_PTR = const(0x0D)
_REG_FIFO_TX_BASE = const(0x0E)
_REG_FIFO_RX_BASE = const(0x0F)
_REG_FIFO_RX_CURRENT = const(0x10)  # where the last packet received starts
_REG_IRQ_FLAGS = const(0x12)  # writing 1 clears a flag
_REG_RX_NB_BYTES = const(0x13)
_REG_PKT_SNR = const(0x19)  # signed, quarter dB; RegPktRssiValue follows at 0x1A
_REG_MODEM_CONFIG_1 = const(0x1D)  # 7-4 Bw, 3-1 CodingRate, 0 ImplicitHeaderModeOn
_REG_MODEM_CONFIG_2 = const(0x1E)  # 7-4 SpreadingFactor, 2 RxPayloadCrcOn, 1-0 SymbTimeout(9:8)
_REG_SYMB_TIMEOUT_LSB = const(0x1F)
_REG_PREAMBLE_MSB = const(0x20)  # 0x20-0x21
_REG_PAYLOAD_LENGTH = const(0x22)
_REG_MAX_PAYLOAD_LENGTH = const(0x23)
_REG_MODEM_CONFIG_3 = const(0x26)  # 3 LowDataRateOptimize, 2 AgcAutoOn
_REG_INVERT_IQ = const(0x33)  # 6 invert RX; 0 TX "normal" (0 = inverted: Semtech's reference driver)
_REG_HIGH_BW_OPTIMIZE_1 = const(0x36)  # errata note 2.1: 500 kHz sensitivity
_REG_HIGH_BW_OPTIMIZE_2 = const(0x3A)
_REG_SYNC_WORD = const(0x39)
_REG_INVERT_IQ_2 = const(0x3B)  # 0x19 with inverted IQ, 0x1D without (Semtech's reference driver)
_REG_DIO_MAPPING_1 = const(0x40)  # 7-6 DIO0, 5-4 DIO1 (DS 4.1.6: DIO mapping in LoRa mode)
_REG_VERSION = const(0x42)
_REG_PA_DAC = const(0x4D)  # 0x87: +20 dBm on PA_BOOST, 0x84: default (DS 5.4.3)

_VERSION = const(0x12)  # RegVersion of every SX1276/77/78/79

_LONG_RANGE = const(0x80)
_LOW_FREQUENCY = const(0x08)  # bands 2 and 3 (below 779 MHz)
_MODE_SLEEP = const(0)
_MODE_STDBY = const(1)
_MODE_TX = const(3)
_MODE_RX_SINGLE = const(6)  # DS 4.1.6: looks for a preamble for RegSymbTimeout symbols

_IRQ_RX_TIMEOUT = const(0x80)
_IRQ_RX_DONE = const(0x40)
_IRQ_CRC_ERROR = const(0x20)
_IRQ_VALID_HEADER = const(0x10)
_IRQ_TX_DONE = const(0x08)

_DIO_TX = const(0x40)  # DIO0 = TxDone
_DIO_RX = const(0x00)  # DIO0 = RxDone, DIO1 = RxTimeout

_PA_BOOST = const(0x80)
_PA_DAC_DEFAULT = const(0x84)
_PA_DAC_HIGH_POWER = const(0x87)
_OCP_100_MA = const(0x2B)  # on, trim 11: 45 + 5 * 11 mA (the reset value)
_OCP_140_MA = const(0x31)  # on, trim 17: -30 + 10 * 17 mA, for +18..+20 dBm (DS 5.4.4)
_LNA_MAX_GAIN = const(0x23)  # G1, LNA boost on the HF port

_RSSI_OFFSET_HF = const(157)  # DS 5.5.5: RSSI = -157 + PktRssi on the HF port, -164 on LF
_RSSI_OFFSET_LF = const(164)

_IDLE = const(0)
_SENDING = const(1)
_RECEIVING = const(2)
_ASLEEP = const(3)


class SX127x(Radio):
    POWER_DBM = (2, 20)  # PA_BOOST: +2..+17 dBm, +20 dBm with the high-power DAC (DS 5.4.3)

    def __init__(self, spi, nss, reset, dio0=None, dio1=None):
        super().__init__()
        self._spi = spi
        self._nss = nss
        self._reset = reset
        self._dio0 = dio0
        self._dio1 = dio1
        self._pair = bytearray(2)  # address, value
        self._pair_mv = memoryview(self._pair)
        self._address = self._pair_mv[:1]
        self._buf = bytearray(255)  # the receive buffer; frames are views of it
        self._mv = memoryview(self._buf)
        self._step = 0
        self._state = _IDLE
        self._low_freq = 0
        self._config_2 = 0  # RegModemConfig2 without the symbol timeout bits

    # -- SPI (DS 4.3) ---------------------------------------------------------------------------

    def _write(self, reg, value):
        b = self._pair
        b[0] = reg | 0x80
        b[1] = value
        self._nss(0)
        self._spi.write(b)
        self._nss(1)

    def _read(self, reg):
        b = self._pair
        b[0] = reg
        b[1] = 0
        self._nss(0)
        self._spi.write_readinto(b, b)
        self._nss(1)
        return b[1]

    def _write_many(self, reg, data):
        # len(data) bytes from reg on; reg 0 is the FIFO at RegFifoAddrPtr
        self._pair[0] = reg | 0x80
        self._nss(0)
        self._spi.write(self._address)
        self._spi.write(data)
        self._nss(1)

    def _read_many(self, reg, buf):
        self._pair[0] = reg
        self._nss(0)
        self._spi.write(self._address)
        self._spi.readinto(buf)
        self._nss(1)

    def _mode(self, mode):
        self._write(_REG_OP_MODE, _LONG_RANGE | self._low_freq | mode)

    # -- contract ---------------------------------------------------------------------------------

    def init(self):
        step = self._step
        self._step = step + 1
        if step == 0:
            self.ready = False
            self._reset(0)  # DS 7.2.2: NRESET low for at least 100 us
            return 1
        if step == 1:
            self._reset(1)
            return 5  # DS 7.2.2: then wait 5 ms
        self._step = 0  # done, or failed: the next init() starts over
        version = self._read(_REG_VERSION)
        if version != _VERSION:
            raise RadioError("sx127x: RegVersion is 0x%02x, not 0x12: no SX1276/77/78/79 on this bus" % version)
        # LongRangeMode can only be changed in sleep (DS 6.4, RegOpMode): sleep first, then LoRa
        self._write(_REG_OP_MODE, _MODE_SLEEP)
        self._write(_REG_OP_MODE, _LONG_RANGE | _MODE_SLEEP)
        mode = self._read(_REG_OP_MODE)
        if not mode & _LONG_RANGE:
            raise RadioError("sx127x: LoRa mode refused (RegOpMode 0x%02x)" % mode)
        self._write(_REG_FIFO_TX_BASE, 0)  # the whole 256-byte FIFO for either direction
        self._write(_REG_FIFO_RX_BASE, 0)
        self._write(_REG_LNA, _LNA_MAX_GAIN)
        self._write(_REG_MAX_PAYLOAD_LENGTH, 255)
        self._state = _ASLEEP
        self.ready = True
        return 0

    def _apply(self):
        self._wake()
        f = self.freq_hz
        self._low_freq = _LOW_FREQUENCY if f < 779000000 else 0
        self._mode(_MODE_STDBY)
        frf = (f << 19) // 32000000  # DS 4.1.4: Frf = f * 2**19 / 32 MHz
        self._write(_REG_FRF_MSB, frf >> 16)
        self._write(_REG_FRF_MSB + 1, (frf >> 8) & 0xFF)
        self._write(_REG_FRF_MSB + 2, frf & 0xFF)
        bw = bandwidth_code(self.bw_khz)
        self._write(_REG_MODEM_CONFIG_1, (bw << 4) | ((self.cr - 4) << 1))  # explicit header
        self._config_2 = (self.sf << 4) | (0x04 if self.crc else 0)
        self._write(_REG_MODEM_CONFIG_2, self._config_2)
        self._write(_REG_MODEM_CONFIG_3, 0x04 | (0x08 if self.ldro else 0))  # AGC on; DS 4.1.1.6
        self._write(_REG_PREAMBLE_MSB, self.preamble >> 8)
        self._write(_REG_PREAMBLE_MSB + 1, self.preamble & 0xFF)
        self._write(_REG_SYNC_WORD, self.sync_word)
        if self.iq_inverted:  # both directions inverted, as a gateway's downlink
            self._write(_REG_INVERT_IQ, 0x66)
            self._write(_REG_INVERT_IQ_2, 0x19)
        else:
            self._write(_REG_INVERT_IQ, 0x27)  # the reset value
            self._write(_REG_INVERT_IQ_2, 0x1D)
        if self.bw_khz == 500:  # errata note 2.1
            self._write(_REG_HIGH_BW_OPTIMIZE_1, 0x02)
            self._write(_REG_HIGH_BW_OPTIMIZE_2, 0x7F if self._low_freq else 0x64)
        else:
            self._write(_REG_HIGH_BW_OPTIMIZE_1, 0x03)
        p = self.power_dbm
        if p > 17:  # DS 5.4.3: +20 dBm needs the high-power DAC, and more current (DS 5.4.4)
            self._write(_REG_PA_DAC, _PA_DAC_HIGH_POWER)
            self._write(_REG_OCP, _OCP_140_MA)
            self._write(_REG_PA_CONFIG, _PA_BOOST | (p - 5))
        else:  # Pout = 17 - (15 - OutputPower) dBm
            self._write(_REG_PA_DAC, _PA_DAC_DEFAULT)
            self._write(_REG_OCP, _OCP_100_MA)
            self._write(_REG_PA_CONFIG, _PA_BOOST | (p - 2))
        self._state = _IDLE

    def _wake(self):
        if not self.ready:
            raise RadioError("sx127x: used before init() finished")
        if self._state != _IDLE:
            self._mode(_MODE_STDBY)  # from sleep the oscillator takes 250 us (DS 2.5.2, TS_OSC)
            self._state = _IDLE

    def start_send(self, payload):
        self._check_payload(payload)
        self._wake()  # the FIFO is filled in standby (DS 4.1.6)
        self._write(_REG_DIO_MAPPING_1, _DIO_TX)
        self._write(_REG_FIFO_ADDR_PTR, 0)
        self._write_many(_REG_FIFO, payload)
        self._write(_REG_PAYLOAD_LENGTH, len(payload))
        self._write(_REG_IRQ_FLAGS, 0xFF)
        self._mode(_MODE_TX)  # back to standby by itself after TxDone
        self._state = _SENDING
        toa = self.time_on_air_us(len(payload))
        self._start_deadline(toa)
        return toa // 1000

    def _flags(self, rx):
        # RegIrqFlags, or 0 without an SPI read while the DIO pins say nothing happened
        if self._dio0 is not None and (not rx or self._dio1 is not None):
            if not self._dio0() and not (rx and self._dio1()):
                return 0
        return self._read(_REG_IRQ_FLAGS)

    def poll_send(self):
        if self._state != _SENDING:
            raise RadioError("sx127x: poll_send() without a send")
        if not self._flags(False) & _IRQ_TX_DONE:
            self._late("TX done")
            return None
        self._write(_REG_IRQ_FLAGS, 0xFF)
        self._state = _IDLE
        return clock.ticks()

    def start_recv(self, symbols):
        if not 4 <= symbols <= 1023:
            raise ValueError("radio: symbols %d not in 4..1023" % symbols)
        if not self.freq_hz:
            raise RadioError("radio: receive before configure()")
        self._wake()
        self._write(_REG_DIO_MAPPING_1, _DIO_RX)
        self._write(_REG_MODEM_CONFIG_2, self._config_2 | (symbols >> 8))
        self._write(_REG_SYMB_TIMEOUT_LSB, symbols & 0xFF)
        self._write(_REG_FIFO_ADDR_PTR, 0)
        self._write(_REG_IRQ_FLAGS, 0xFF)
        self._mode(_MODE_RX_SINGLE)  # back to standby by itself after RxDone or RxTimeout
        self._state = _RECEIVING
        sym = self.symbol_us()
        self._start_deadline(symbols * sym + self.time_on_air_us(255))
        return sym // 1000 or 1

    def poll_recv(self):
        if self._state != _RECEIVING:
            raise RadioError("sx127x: poll_recv() without a receive")
        flags = self._flags(True)
        if not flags & (_IRQ_RX_DONE | _IRQ_RX_TIMEOUT):
            self._late("RX done or RX timeout")
            return None
        self._write(_REG_IRQ_FLAGS, 0xFF)
        self._state = _IDLE
        if not flags & _IRQ_RX_DONE:
            return False
        if flags & _IRQ_CRC_ERROR:
            self.crc_errors += 1
            return False
        n = self._read(_REG_RX_NB_BYTES)
        self._write(_REG_FIFO_ADDR_PTR, self._read(_REG_FIFO_RX_CURRENT))
        frame = self.frame
        frame.payload = self._mv[:n]
        self._read_many(_REG_FIFO, frame.payload)
        q = self._pair_mv
        self._read_many(_REG_PKT_SNR, q)  # RegPktSnrValue, RegPktRssiValue
        snr4 = q[0] - 256 if q[0] > 127 else q[0]
        rssi = q[1] - (_RSSI_OFFSET_LF if self._low_freq else _RSSI_OFFSET_HF)
        if snr4 < 0:
            rssi += snr4 >> 2  # DS 5.5.5: below the noise floor the SNR adds in
        frame.rssi = rssi
        frame.snr = (snr4 + 2) >> 2
        frame.tick = clock.ticks()
        return frame

    def standby(self):
        self._mode(_MODE_STDBY)
        self._state = _IDLE

    def sleep(self):
        # registers are kept, the FIFO is not accessible (DS 4.1.5); the next call wakes the chip
        self._mode(_MODE_SLEEP)
        self._state = _ASLEEP


class AsyncSX127x(AsyncRadio, SX127x):
    pass
