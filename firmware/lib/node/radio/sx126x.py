# Semtech SX1261/SX1262 in LoRa mode ("DS": datasheet rev. 2.1, December 2021).
# SPI (DS 8.3): one command per NSS low..high, opcode first; read commands answer a status byte
# and then their data. Before every command the driver waits for BUSY low (DS 8.3.1): a command
# sent while BUSY is high is lost. In sleep BUSY stays high; an NSS falling edge wakes the chip.
from micropython import const

from node import clock
from node.radio import AsyncRadio, Radio, RadioError, bandwidth_code

# Opcodes (DS 13)
_SET_SLEEP = const(0x84)  # 13.1.1: sleepConfig bit 2 = warm start (configuration kept)
_SET_STANDBY = const(0x80)  # 13.1.2: 0 = STDBY_RC
_SET_TX = const(0x83)  # 13.1.4: timeout (24 bit, 15.625 us), 0 = none
_SET_RX = const(0x82)  # 13.1.5: timeout 0 = single, until a packet or the symbol timeout
_SET_REGULATOR_MODE = const(0x96)  # 13.1.11: 1 = DC-DC
_CALIBRATE = const(0x89)  # 13.1.12: 0x7F = all blocks, 3.5 ms
_CALIBRATE_IMAGE = const(0x98)  # 13.1.13, in STDBY_RC
_SET_PA_CONFIG = const(0x95)  # 13.1.14: paDutyCycle, hpMax, deviceSel, paLut
_WRITE_REGISTER = const(0x0D)  # 13.2.1: address (16 bit), data
_READ_REGISTER = const(0x1D)  # 13.2.2: address, status, data
_WRITE_BUFFER = const(0x0E)  # 13.2.3: offset, data
_READ_BUFFER = const(0x1E)  # 13.2.4: offset, status, data
_SET_DIO_IRQ_PARAMS = const(0x08)  # 13.3.1: irqMask, dio1Mask, dio2Mask, dio3Mask (16 bit each)
_GET_IRQ_STATUS = const(0x12)  # 13.3.3
_CLEAR_IRQ_STATUS = const(0x02)  # 13.3.4
_SET_DIO2_AS_RF_SWITCH = const(0x9D)  # 13.3.5: DIO2 high in TX, low otherwise
_SET_DIO3_AS_TCXO = const(0x97)  # 13.3.6: voltage code, start-up delay (24 bit, 15.625 us)
_SET_RF_FREQUENCY = const(0x86)  # 13.4.1: RfFreq = f * 2**25 / 32 MHz
_SET_PACKET_TYPE = const(0x8A)  # 13.4.2: first, in standby; 1 = LoRa
_SET_TX_PARAMS = const(0x8E)  # 13.4.4: power (dBm, signed), ramp time
_SET_MODULATION_PARAMS = const(0x8B)  # 13.4.5: SF, BW, CR, LowDataRateOptimize
_SET_PACKET_PARAMS = const(0x8C)  # 13.4.6: preamble (16 bit), header, length, CRC, invert IQ
_SET_BUFFER_BASE_ADDRESS = const(0x8F)  # 13.4.8: TX base, RX base
_SET_LORA_SYMB_NUM_TIMEOUT = const(0xA0)  # 13.4.9, DS 9.6: no lock after that many symbols = Timeout
_GET_STATUS = const(0xC0)  # 13.5.1: bits 6-4 chip mode
_GET_RX_BUFFER_STATUS = const(0x13)  # 13.5.2: length, start pointer
_GET_PACKET_STATUS = const(0x14)  # 13.5.3: RssiPkt (-dBm * 2), SnrPkt (signed, dB * 4)
_GET_DEVICE_ERRORS = const(0x17)  # 13.6.1
_CLEAR_DEVICE_ERRORS = const(0x07)  # 13.6.2

# Registers (DS 12.1) and the errata fixes that use them (DS 15)
_REG_IQ_POLARITY = const(0x0736)  # 15.4: bit 2 cleared with inverted IQ, set otherwise
_REG_SYNC_WORD = const(0x0740)  # 0x0740-0x0741: 0x3444 public, 0x1424 private
_REG_TX_MODULATION = const(0x0889)  # 15.1: bit 2 cleared at 500 kHz, set otherwise
_REG_TX_CLAMP = const(0x08D8)  # 15.2: bits 4-1 set (SX1262: antenna mismatch)

_IRQ_TX_DONE = const(0x0001)
_IRQ_RX_DONE = const(0x0002)
_IRQ_HEADER_ERR = const(0x0020)
_IRQ_CRC_ERR = const(0x0040)
_IRQ_TIMEOUT = const(0x0200)
_IRQ_USED = const(0x0263)  # the five above, all on DIO1

_MODE_STDBY_RC = const(2)  # GetStatus chip mode
_PACKET_LORA = const(1)
_RAMP_40_US = const(0x02)
_CALIBRATE_ALL = const(0x7F)
_WARM_START = const(0x04)
_CALIBRATION_US = const(3500)  # DS 13.1.12
_WAKE_US = const(340)  # sleep (warm start) to STDBY_RC, DS 8.3.1 (BUSY switching times)
_RX_START_US = const(83)  # STDBY_RC to RX, same table
_BUSY_LIMIT_MS = const(20)  # beyond the longest legal BUSY (calibration), plus the TCXO start-up
_TCXO_START_US = const(5000)  # the boards' TCXOs are up well within 5 ms
_TCXO_MILLIVOLTS = (1600, 1700, 1800, 2200, 2400, 2700, 3000, 3300)  # DIO3 voltage codes 0..7 (13.3.6)
_BW_CODES = b"\x00\x08\x01\x09\x02\x0a\x03\x04\x05\x06"  # 13.4.5, in BANDWIDTHS_KHZ order
# DS 9.2.1, table 9-2: image calibration per band (MHz from, to, freq1, freq2)
_IMAGE_BANDS = ((430, 440, 0x6B, 0x6F), (470, 510, 0x75, 0x81), (779, 787, 0xC1, 0xC5), (863, 870, 0xD7, 0xDB),
                (902, 928, 0xE1, 0xE9))
_WAKE = b"\xc0\x00"  # GetStatus: its NSS falling edge wakes the chip, the command itself is lost

_IDLE = const(0)
_SENDING = const(1)
_RECEIVING = const(2)
_ASLEEP = const(3)


class SX126x(Radio):
    def __init__(self, spi, nss, reset, busy, dio1=None, chip="sx1262", tcxo_v=None, dio2_rf_switch=False,
                 tcxo_start_us=_TCXO_START_US):
        super().__init__()
        self._spi = spi
        self._nss = nss
        self._reset = reset
        self._busy = busy
        self._dio1 = dio1
        self._high_power = chip == "sx1262"
        self.POWER_DBM = (-9, 22) if self._high_power else (-17, 14)  # 13.4.4
        self._tcxo_code = None
        if tcxo_v is not None:
            mv = int(tcxo_v * 1000 + 0.5)
            if mv not in _TCXO_MILLIVOLTS:
                raise ValueError("sx126x: TCXO voltage %s V is none of the DIO3 levels" % tcxo_v)
            self._tcxo_code = _TCXO_MILLIVOLTS.index(mv)
        self._tcxo_us = tcxo_start_us if tcxo_v is not None else 0
        self._dio2_rf_switch = dio2_rf_switch
        self.rx_lead_ms = (_WAKE_US + self._tcxo_us + _RX_START_US + 999) // 1000
        self._busy_ms = _BUSY_LIMIT_MS + self._tcxo_us // 1000
        self._cmd = bytearray(10)
        mv = memoryview(self._cmd)
        self._views = [mv[:n] for n in range(11)]
        self._buf = bytearray(255)
        self._mv = memoryview(self._buf)
        self._step = 0
        self._state = _IDLE
        self._image_band = None

    # -- SPI with the BUSY handshake (DS 8.3.1) ---------------------------------------------------

    def _wait_busy(self):
        busy = self._busy
        if busy():
            start = clock.ticks()
            while busy():
                if clock.diff(clock.ticks(), start) > self._busy_ms:
                    raise RadioError("sx126x: BUSY stays high")

    def _command(self, n):
        # send the first n bytes of self._cmd
        self._wait_busy()
        self._nss(0)
        self._spi.write(self._views[n])
        self._nss(1)

    def _exchange(self, n):
        # a read command: the answer replaces the first n bytes of self._cmd
        self._wait_busy()
        v = self._views[n]
        self._nss(0)
        self._spi.write_readinto(v, v)
        self._nss(1)

    def _op(self, opcode, arg=None):
        c = self._cmd
        c[0] = opcode
        if arg is None:
            self._command(1)
            return
        c[1] = arg
        self._command(2)

    def _op24(self, opcode, value):
        c = self._cmd
        c[0] = opcode
        c[1] = value >> 16
        c[2] = (value >> 8) & 0xFF
        c[3] = value & 0xFF
        self._command(4)

    def _read_register(self, addr):
        c = self._cmd
        c[0] = _READ_REGISTER
        c[1] = addr >> 8
        c[2] = addr & 0xFF
        c[3] = c[4] = 0
        self._exchange(5)
        return c[4]

    def _write_register(self, addr, value):
        c = self._cmd
        c[0] = _WRITE_REGISTER
        c[1] = addr >> 8
        c[2] = addr & 0xFF
        c[3] = value
        self._command(4)

    def _set_bit(self, addr, mask, on):
        v = self._read_register(addr)
        self._write_register(addr, (v | mask) if on else (v & ~mask))

    def _read16(self, opcode):
        # GetIrqStatus, GetDeviceErrors: status, then a 16-bit value
        c = self._cmd
        c[0] = opcode
        c[1] = c[2] = c[3] = 0
        self._exchange(4)
        return (c[2] << 8) | c[3]

    def _clear_irq(self):
        c = self._cmd
        c[0] = _CLEAR_IRQ_STATUS
        c[1] = c[2] = 0xFF
        self._command(3)

    def _set_packet_params(self, length):
        c = self._cmd
        c[0] = _SET_PACKET_PARAMS
        c[1] = self.preamble >> 8
        c[2] = self.preamble & 0xFF
        c[3] = 0  # explicit header
        c[4] = length  # TX: the payload; RX: the largest accepted
        c[5] = 1 if self.crc else 0
        c[6] = 1 if self.iq_inverted else 0
        self._command(7)

    # -- contract ---------------------------------------------------------------------------------

    def init(self):
        step = self._step
        self._step = step + 1
        if step == 0:
            self.ready = False
            self._reset(0)  # DS 8.1: NRESET low for typically 100 us
            return 1
        if step == 1:
            self._reset(1)
            return _CALIBRATION_US // 1000 + 1  # then the chip calibrates itself, BUSY high
        if step == 2:
            self._step = 0  # should this step fail, the next init() starts over
            c = self._cmd
            c[0] = _GET_STATUS
            c[1] = 0
            self._exchange(2)
            if (c[1] >> 4) & 7 != _MODE_STDBY_RC:
                raise RadioError("sx126x: no chip answers on SPI (status 0x%02x)" % c[1])
            self._op(_SET_STANDBY, 0)
            self._op(_SET_REGULATOR_MODE, 1)
            if self._tcxo_code is not None:
                # DS 13.3.6: DIO3 powers the TCXO; the power-up calibration ran without it and
                # left XOSC_START_ERR, so clear the errors and calibrate again
                c[0] = _SET_DIO3_AS_TCXO
                c[1] = self._tcxo_code
                delay = self._tcxo_us * 64 // 1000  # in steps of 15.625 us
                c[2] = delay >> 16
                c[3] = (delay >> 8) & 0xFF
                c[4] = delay & 0xFF
                self._command(5)
            c[0] = _CLEAR_DEVICE_ERRORS
            c[1] = c[2] = 0
            self._command(3)
            self._op(_CALIBRATE, _CALIBRATE_ALL)
            self._step = 3
            return (_CALIBRATION_US + self._tcxo_us) // 1000 + 1
        self._step = 0  # done, or failed: the next init() starts over
        errors = self._read16(_GET_DEVICE_ERRORS)
        if errors:
            raise RadioError("sx126x: calibration failed, device errors 0x%04x (DS 13.6.1)" % errors)
        if self._dio2_rf_switch:
            self._op(_SET_DIO2_AS_RF_SWITCH, 1)
        self._op(_SET_PACKET_TYPE, _PACKET_LORA)
        c = self._cmd
        c[0] = _SET_BUFFER_BASE_ADDRESS
        c[1] = c[2] = 0  # the whole 256-byte buffer for either direction
        self._command(3)
        c[0] = _SET_DIO_IRQ_PARAMS
        c[1] = c[3] = _IRQ_USED >> 8
        c[2] = c[4] = _IRQ_USED & 0xFF
        c[5] = c[6] = c[7] = c[8] = 0
        self._command(9)
        if self._high_power:
            self._set_bit(_REG_TX_CLAMP, 0x1E, True)  # DS 15.2
        self._state = _IDLE
        self._image_band = None
        self.ready = True
        return 0

    def _apply(self):
        self._wake()
        f = self.freq_hz
        mhz = f // 1000000
        for band in _IMAGE_BANDS:
            if band[0] <= mhz < band[1] and band is not self._image_band:
                c = self._cmd
                c[0] = _CALIBRATE_IMAGE
                c[1] = band[2]
                c[2] = band[3]
                self._command(3)
                self._image_band = band
        c = self._cmd
        c[0] = _SET_RF_FREQUENCY
        rf = f * (1 << 25) // 32000000
        c[1] = rf >> 24
        c[2] = (rf >> 16) & 0xFF
        c[3] = (rf >> 8) & 0xFF
        c[4] = rf & 0xFF
        self._command(5)
        c[0] = _SET_MODULATION_PARAMS
        c[1] = self.sf
        c[2] = _BW_CODES[bandwidth_code(self.bw_khz)]
        c[3] = self.cr - 4
        c[4] = 1 if self.ldro else 0  # DS 6.1.1.4
        self._command(5)
        self._set_packet_params(255)
        sw = self.sync_word  # 0x34 -> 0x3444: each nibble followed by 4
        self._write_register(_REG_SYNC_WORD, (sw & 0xF0) | 0x04)
        self._write_register(_REG_SYNC_WORD + 1, ((sw & 0x0F) << 4) | 0x04)
        self._set_bit(_REG_IQ_POLARITY, 0x04, not self.iq_inverted)  # DS 15.4
        self._set_bit(_REG_TX_MODULATION, 0x04, self.bw_khz != 500)  # DS 15.1
        c[0] = _SET_PA_CONFIG  # DS 13.1.14, table 13-21: the +22 dBm (SX1262) / +14 dBm (SX1261) setting
        c[1] = 0x04
        c[2] = 0x07 if self._high_power else 0x00
        c[3] = 0x00 if self._high_power else 0x01
        c[4] = 0x01
        self._command(5)
        c[0] = _SET_TX_PARAMS
        c[1] = self.power_dbm & 0xFF
        c[2] = _RAMP_40_US
        self._command(3)

    def _wake(self):
        if not self.ready:
            raise RadioError("sx126x: used before init() finished")
        state = self._state
        if state == _ASLEEP:
            self._nss(0)
            self._spi.write(_WAKE)
            self._nss(1)  # BUSY stays high until the chip is in STDBY_RC (warm start, 340 us)
        elif state != _IDLE:
            self._op(_SET_STANDBY, 0)
        self._state = _IDLE

    def start_send(self, payload):
        self._check_payload(payload)
        self._wake()
        self._set_packet_params(len(payload))
        self._wait_busy()
        c = self._cmd
        c[0] = _WRITE_BUFFER
        c[1] = 0
        self._nss(0)
        self._spi.write(self._views[2])
        self._spi.write(payload)
        self._nss(1)
        self._clear_irq()
        self._op24(_SET_TX, 0)  # after TxDone the chip falls back to STDBY_RC (13.1.15)
        self._state = _SENDING
        us = self._tcxo_us + self.time_on_air_us(len(payload))  # TX starts once the TCXO runs
        self._start_deadline(us)
        return us // 1000

    def _irq(self):
        if self._dio1 is not None and not self._dio1():
            return 0  # nothing happened: no SPI needed
        return self._read16(_GET_IRQ_STATUS)

    def poll_send(self):
        if self._state != _SENDING:
            raise RadioError("sx126x: poll_send() without a send")
        if not self._irq() & _IRQ_TX_DONE:
            self._late("TX done")
            return None
        self._clear_irq()
        self._state = _IDLE
        return clock.ticks()

    def start_recv(self, symbols):
        if not 1 <= symbols <= 255:
            raise ValueError("radio: symbols %d not in 1..255" % symbols)
        if not self.freq_hz:
            raise RadioError("radio: receive before configure()")
        self._wake()
        self._set_packet_params(255)
        self._op(_SET_LORA_SYMB_NUM_TIMEOUT, symbols)
        self._clear_irq()
        self._op24(_SET_RX, 0)
        self._state = _RECEIVING
        sym = self.symbol_us()
        self._start_deadline(self._tcxo_us + symbols * sym + self.time_on_air_us(255))
        return sym // 1000 or 1

    def poll_recv(self):
        if self._state != _RECEIVING:
            raise RadioError("sx126x: poll_recv() without a receive")
        irq = self._irq()
        if not irq & (_IRQ_RX_DONE | _IRQ_TIMEOUT):
            self._late("RX done or timeout")
            return None
        self._clear_irq()
        self._state = _IDLE  # back in STDBY_RC
        if not irq & _IRQ_RX_DONE:
            return False
        if irq & (_IRQ_CRC_ERR | _IRQ_HEADER_ERR):
            self.crc_errors += 1
            return False
        c = self._cmd
        c[0] = _GET_RX_BUFFER_STATUS
        c[1] = c[2] = c[3] = 0
        self._exchange(4)
        n = c[2]
        frame = self.frame
        frame.payload = self._mv[:n]
        self._wait_busy()
        c[0] = _READ_BUFFER
        c[1] = c[3]  # where the packet starts
        c[2] = 0  # the status byte
        self._nss(0)
        self._spi.write(self._views[3])
        self._spi.readinto(frame.payload)
        self._nss(1)
        c[0] = _GET_PACKET_STATUS
        c[1] = c[2] = c[3] = c[4] = 0
        self._exchange(5)
        snr4 = c[3] - 256 if c[3] > 127 else c[3]
        frame.rssi = -(c[2] >> 1)
        frame.snr = (snr4 + 2) >> 2
        frame.tick = clock.ticks()
        return frame

    def standby(self):
        self._wake()

    def sleep(self):
        # warm start: the configuration is kept (13.1.1); the next call wakes the chip
        if self._state == _ASLEEP:
            return
        if self._state != _IDLE:
            self._op(_SET_STANDBY, 0)
        self._op(_SET_SLEEP, _WARM_START)
        self._state = _ASLEEP


class AsyncSX126x(AsyncRadio, SX126x):
    pass
