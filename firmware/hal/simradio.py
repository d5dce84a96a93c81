# Simulated LoRa radio chips for the unix port, driven at the SPI level by the real drivers
# (node.radio), and "the air" they send into and receive from (docs/radio.md).
#
# - SPI and Pin stand in for machine.SPI and machine.Pin. A transaction is NSS low ... NSS high;
#   the bytes go to the chip whose NSS line is low. Bus traffic and pin polling cost virtual time
#   (about what they cost a board), so a BUSY wait or a polling loop ends as it would on a board.
# - SX1276: register file, FIFO with its pointers, operating modes, DIO mapping, IRQ flags,
#   RX single with its symbol timeout. SX1262: the command set, BUSY high for as long as each
#   command takes (datasheet 8.3.1), IRQ status, buffer base addresses, DIO3 TCXO and DIO2 switch.
# - TX done comes at the start plus the time on air (AN1200.13) of what the chip is set to; a
#   receive window hears a frame only if it is open while the frame's preamble is on the air, on
#   its frequency, SF, bandwidth, sync word and IQ polarity, and times out after its symbols
#   otherwise. Two frames overlapping on one channel and SF are both lost (no capture effect).
# - A sequence the chip would refuse is reported once on stderr and fails as on the chip.
# - Each transmission is printed as a console line (docs/console-log.md); downlinks come from the
#   trace's radio records (docs/trace-format.md) or Air.inject().
import json
import sys

from hal import simtime
from node.radio import BANDWIDTHS_KHZ, low_data_rate, symbol_us, time_on_air_us

TRANSFER_US = 20  # one spi.write()/readinto() call from MicroPython on an ESP32, roughly
BYTE_US = 1  # one byte at 8 MHz
PIN_US = 5  # one turn of a loop that polls a pin
LOCK_SYMBOLS = 4  # preamble symbols a receiver has to hear to lock on a frame
KEEP = 16  # transmissions kept in Air.sent for inspection
NO_TIMEOUT_US = 60000000  # a receive without any timeout is modelled as this long

_spare_us = 0  # bus time spent that has not yet added up to a whole virtual ms
_said = set()


def now_us():
    return simtime.clock.elapsed * 1000 + _spare_us


def spend(us):
    # Time the firmware spends on the bus: it passes on the virtual clock (as sleep_ms() does).
    global _spare_us
    _spare_us += us
    if _spare_us >= 1000:
        ms = _spare_us // 1000
        _spare_us -= ms * 1000
        simtime.clock.advance(ms)


def _uptime_ms(us):
    return us // 1000 - simtime.clock.boot_ms


def _nominal(hz):
    # a frequency register's value to the nearest 100 Hz, the channel grid of LoRaWAN (the
    # registers step by 61 Hz on the SX1276 and by 0.95 Hz on the SX1262)
    return (hz + 50) // 100 * 100


def _tenths(us):
    t = (us + 50) // 100
    return "%d.%d" % (t // 10, t % 10)


class Pin:
    # A GPIO line to a simulated chip: called with 0/1 the firmware drives it, without it reads it.
    def __init__(self, read=None, write=None, level=1):
        self._read = read
        self._write = write
        self._level = level

    def value(self, v=None):
        if v is None:
            spend(PIN_US)
            return self._read() if self._read else self._level
        self._level = v
        if self._write:
            self._write(v)

    __call__ = value


class SPI:
    # machine.SPI's transfer calls; each byte goes to the chip whose NSS is low and its answer back.
    def __init__(self, *chips):
        self.chips = list(chips)
        self.transfers = 0  # calls so far, to see what polling costs

    def _chip(self):
        for c in self.chips:
            if c.selected:
                return c
        _note(None, "spi: transfer with no chip selected (every NSS high): the bytes go nowhere")
        return None

    def write(self, buf):
        c = self._chip()
        if c:
            for b in buf:
                c.exchange(b)
        self.transfers += 1
        spend(TRANSFER_US + len(buf) * BYTE_US)

    def readinto(self, buf, write=0):
        self.write_readinto(bytes((write,)) * len(buf), buf)

    def read(self, n, write=0):
        buf = bytearray(n)
        self.readinto(buf, write)
        return bytes(buf)

    def write_readinto(self, wbuf, rbuf):
        c = self._chip()
        for i in range(len(rbuf)):
            rbuf[i] = c.exchange(wbuf[i]) if c else 0xFF  # MISO floats high
        self.transfers += 1
        spend(TRANSFER_US + len(rbuf) * BYTE_US)


def _note(chip, text):
    # One clear line on stderr, once; the chip keeps its own list for tests.
    if chip is not None and text not in chip.problems:
        chip.problems.append(text)
    if text not in _said:
        _said.add(text)
        sys.stderr.write(text + "\n")


def _renewed(t, args, kw):
    # A new Transmission, or t set anew in place (its attribute table is already full grown)
    if t is None:
        return Transmission(*args, **kw)
    t.__init__(*args, **kw)
    return t


class Transmission:
    # One frame on the air. start_us/end_us: virtual us since the trace start.
    def __init__(self, start_us, freq_hz, sf, bw_khz, cr, payload, preamble=8, crc=True, iq_inverted=False,
                 ldro=None, sync_word=0x34, power_dbm=14, rssi=-80, snr=7):
        self.start_us = start_us
        self.freq_hz = freq_hz
        self.sf = sf
        self.bw_khz = bw_khz
        self.cr = cr
        self.payload = bytes(payload)
        self.preamble = preamble
        self.crc = crc
        self.iq_inverted = iq_inverted
        self.ldro = low_data_rate(sf, bw_khz) if ldro is None else ldro
        self.sync_word = sync_word
        self.power_dbm = power_dbm
        self.rssi = rssi  # as a receiver hears it
        self.snr = snr
        self.toa_us = time_on_air_us(len(payload), sf, bw_khz, cr, preamble, crc, True, self.ldro)
        self.end_us = start_us + self.toa_us
        self.t = self.end_us // 1000  # the record's time: virtual ms at the end of TX

    def same_channel(self, other):
        return (self.sf == other.sf and self.bw_khz == other.bw_khz
                and abs(self.freq_hz - other.freq_hz) <= self.bw_khz * 250)


class Air:
    # What the simulated chips send into and hear from. Downlinks come from the trace (follow())
    # or from inject(); frames a chip sends are on it too, so one simulated chip can hear another.
    def __init__(self, keep=KEEP):
        self.frames = []  # on the air, about to be, or recently
        self.sent = []  # the last `keep` frames the chips sent (Transmission), oldest first
        self.keep = keep
        self.count = 0  # frames the chips sent since start
        self.listeners = []  # chips in a receive window, told when a frame arrives on the air
        self.host = False  # True: ask the host for downlinks when a window opens (ask_host)
        self.asks = 0  # windows that asked the host
        self._file = None
        self._next = None

    def follow(self, path):
        # Take downlinks from a trace file's radio records, read ahead as receive windows need them.
        from hal.sim import open_trace

        self._file = open_trace(path)[0]
        self._read_next()

    def _read_next(self):
        self._next = None
        while self._file is not None:
            line = self._file.line()
            if not line:
                self._file = None
            elif b'"radio"' in line:
                r = json.loads(line)
                if r.get("radio") == "down":
                    self._next = r
                    return

    def load_until(self, ms):
        # trace frames need no word to the listeners: each loads what its own window can hear
        while self._next is not None and self._next["t"] <= ms:
            r = self._next
            self._read_next()
            self._put(downlink(r))

    def ask_host(self, rx):
        # A receive window opens: the host's simulated gateway (host/reallabor/sim/gateway.py) is
        # asked for what it will send. Virtual time stands still until it answered: a `radio listen`
        # console line with the window's number n, then one downlink record per line on stdin (as
        # the trace's, with "us" for the microseconds after "t"), then "end n". Only that line ends
        # the wait: the simulator shares the firmware's heap, and a MemoryError while it read an
        # earlier answer left the rest of it unread. Those lines are passed over (a record that is
        # whole goes on the air: the gateway did send it), or every later window would get the
        # answer meant for the one before.
        self.asks += 1
        print("%d I radio listen freq=%d sf=%d bw=%s n=%d" % (_uptime_ms(now_us()), rx.freq_hz, rx.sf,
                                                           "%g" % rx.bw_khz, self.asks))
        end = "end %d" % self.asks
        while True:
            line = sys.stdin.readline()
            if not line or line.strip() == end:
                return
            if line[0] == "{":  # not the tail of a record whose start a MemoryError took
                self._put(downlink(json.loads(line)))

    def inject(self, t_ms, freq_hz, sf, payload, bw_khz=125, cr=5, **options):
        # A downlink as a gateway sends it (inverted IQ, no CRC unless crc=True), starting at t_ms.
        options.setdefault("crc", False)
        options.setdefault("iq_inverted", True)
        frame = Transmission(t_ms * 1000, freq_hz, sf, bw_khz, cr, payload, **options)
        self.add(frame)
        return frame

    def add(self, frame):
        self._put(frame)
        for chip in list(self.listeners):
            chip.replan()  # a window already open may hear it

    def _put(self, frame):
        # Forget frames no receiver can hear any more: a window opening now hears only frames
        # still on the air, and a frame on the air collides only with frames that overlap it.
        now = cutoff = now_us()
        for f in self.frames:
            if f.end_us >= now and f.start_us < cutoff:
                cutoff = f.start_us
        self.frames = [f for f in self.frames if f.end_us >= cutoff]
        self.frames.append(frame)

    def remove(self, frame):
        if frame in self.frames:
            self.frames.remove(frame)

    def finished(self, frame):
        # a chip's transmission has ended: the record and its console line
        self.count += 1
        self.sent.append(frame)
        if len(self.sent) > self.keep:
            self.sent.pop(0)
        print(self.tx_line(frame))

    def tx_line(self, f):
        return "%d I radio tx freq=%d sf=%d bw=%s cr=%d dbm=%d toa=%s phy=%s" % (
            _uptime_ms(f.end_us), f.freq_hz, f.sf, "%g" % f.bw_khz, f.cr, f.power_dbm, _tenths(f.toa_us),
            f.payload.hex())

    def received(self, f):
        print("%d I radio rx freq=%d sf=%d bw=%s rssi=%d snr=%d phy=%s" % (
            _uptime_ms(f.end_us), f.freq_hz, f.sf, "%g" % f.bw_khz, f.rssi, f.snr, f.payload.hex()))

    def catch(self, rx, open_us, close_us):
        # The frame a receiver set like `rx` (a Transmission-shaped description) hears in a window
        # open from open_us, closing at close_us unless it has locked on a preamble by then; None.
        self.load_until(close_us // 1000)
        sym = symbol_us(rx.sf, rx.bw_khz)
        best = lock_best = None
        for f in self.frames:
            if (not f.same_channel(rx) or f.iq_inverted != rx.iq_inverted or f.ldro != rx.ldro
                    or f.sync_word != rx.sync_word):
                continue
            lock = max(open_us, f.start_us) + LOCK_SYMBOLS * sym
            if lock > f.start_us + f.preamble * sym or lock > close_us:
                continue  # the window opened too late for the preamble, or closed too early
            if best is None or lock < lock_best:
                best, lock_best = f, lock
        if best is None:
            return None
        self.load_until(best.end_us // 1000)
        for f in self.frames:
            if f is not best and f.same_channel(best) and f.start_us < best.end_us and best.start_us < f.end_us:
                return None  # a collision: neither frame survives
        return best


AIR = Air()  # the simulator's one air; tests make their own


def downlink(r):
    # A trace record {"t": ms, "radio": "down", "freq_hz", "sf", "phy": hex, ...} (docs/trace-format.md)
    try:
        return Transmission(r["t"] * 1000 + r.get("us", 0), r["freq_hz"], r["sf"], r.get("bw_khz", 125), r.get("cr", 5),
                            bytes.fromhex(r["phy"]), preamble=r.get("preamble", 8), crc=r.get("crc", False),
                            iq_inverted=True, sync_word=r.get("sync_word", 0x34), power_dbm=r.get("dbm", 14),
                            rssi=r.get("rssi", -80), snr=r.get("snr", 7))
    except KeyError as e:
        raise ValueError("trace: radio record at t=%s lacks %s" % (r.get("t"), e.args[0]))


def radio_record(r, air=None):
    # Feed one trace record: a radio downlink goes onto the air (True); anything else is not ours.
    if r.get("radio") != "down":
        return False
    (air or AIR).add(downlink(r))
    return True


class _Chip:
    # What both chips share: NSS and NRESET lines, one pending event as a VirtualClock alarm.
    name = "chip"

    def __init__(self, air):
        # Every attribute is made here: the replay measures the simulator's heap share after the
        # chip is built, so a table that grew later would be charged to the firmware's budget.
        self.air = air or AIR
        self.problems = []  # the lines reported, for tests
        self.selected = False
        self.due = None  # virtual ms of the next event (the clock's alarm protocol)
        self._event_us = None
        self.nss_pin = Pin(write=self._nss)
        self.reset_pin = Pin(write=self._nreset)
        self._in_reset = False
        self._tx = None  # the Transmission being sent
        self._rx = None  # (settings, open_us, close_us) of the open receive window
        self._rx_frame = None  # the frame that window has locked on
        # what a receive window listens for, set anew for each: the simulator shares the node's
        # heap, where a new one per window left holes a LoRa node's boot then found too small
        self._listen = Transmission(0, 0, 7, 125, 5, b"")

    def _note(self, text):
        _note(self, self.name + ": " + text)

    def _schedule(self, us):
        self._event_us = us
        self.due = None if us is None else (us + 999) // 1000
        alarms = simtime.clock.alarms
        if us is not None and self not in alarms:
            alarms.append(self)

    def fire(self):
        self.update()

    def update(self):
        ev = self._event_us
        if ev is not None and ev <= now_us():
            self._schedule(None)
            if self._tx is not None:
                tx, self._tx = self._tx, None
                if tx.on_air:
                    self.air.finished(tx)
                self._tx_done()
            elif self._rx is not None:
                frame = self._rx_frame
                self._stop_rx()
                if frame is not None:
                    self.air.received(frame)
                self._rx_done(frame)

    def _start_tx(self, frame, on_air):
        frame.on_air = on_air
        if on_air:
            self.air.add(frame)
        self._tx = frame
        self._schedule(frame.end_us)

    def _start_rx(self, settings, open_us, close_us):
        if self.air.host and settings is not None:
            self.air.ask_host(settings)
        self._rx = (settings, open_us, close_us)
        if self not in self.air.listeners:
            self.air.listeners.append(self)
        self.replan()

    def replan(self):
        # (again) which frame the open window will hear, and when it ends
        settings, open_us, close_us = self._rx
        frame = self.air.catch(settings, open_us, close_us) if settings is not None else None
        self._rx_frame = frame
        self._schedule(frame.end_us if frame else max(close_us, now_us()))

    def _stop_rx(self):
        self._rx = self._rx_frame = None
        if self in self.air.listeners:
            self.air.listeners.remove(self)

    def _cancel(self):
        # leaving TX or RX before it ended: a cut frame leaves the air unheard
        if self._tx is not None:
            self.air.remove(self._tx)
            self._tx = None
        self._stop_rx()
        self._schedule(None)

    def _nreset(self, level):
        if not level:
            self._in_reset = True
            self._cancel()
        elif self._in_reset:
            self._in_reset = False
            self._power_on()


# -- SX1276 -------------------------------------------------------------------------------------

_SX1276_DEFAULTS = {  # reset values (datasheet rev. 7, 6.4); 0x0D-0x3F hold the LoRa registers
    0x01: 0x09, 0x06: 0x6C, 0x07: 0x80, 0x09: 0x4F, 0x0A: 0x09, 0x0B: 0x2B, 0x0C: 0x20, 0x0E: 0x80,
    0x1D: 0x72, 0x1E: 0x70, 0x1F: 0x64, 0x21: 0x08, 0x22: 0x01, 0x23: 0xFF, 0x26: 0x04, 0x31: 0xC3,
    0x33: 0x27, 0x37: 0x0A, 0x39: 0x12, 0x3B: 0x1D, 0x42: 0x12, 0x4D: 0x84,
}
_SX1276_MODES = ("SLEEP", "STDBY", "FSTX", "TX", "FSRX", "RXCONTINUOUS", "RXSINGLE", "CAD")
_SX1276_READ_ONLY = (0x10, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x25, 0x42)
_TS_OSC_US = 250  # DS 2.5.2: crystal oscillator start-up (sleep -> standby)
_TS_FS_US = 60  # DS 2.5.2: synthesizer start-up (standby -> TX/RX)
_SX1276_RESET_US = 5000  # DS 7.2.2


class SX1276(_Chip):
    name = "sx1276"

    def __init__(self, air=None, version=0x12, pa_boost_only=True):
        super().__init__(air)
        self.version = version  # another value (0x00: nothing there) to test the driver's check
        self.pa_boost_only = pa_boost_only  # the boards wire PA_BOOST only, RFO goes nowhere
        self.regs = bytearray(128)
        self.fsk = bytearray(128)  # 0x0D-0x3F as the FSK/OOK modem sees them
        self.fifo = bytearray(256)
        self.dio0_pin = Pin(read=lambda: self._dio(0))
        self.dio1_pin = Pin(read=lambda: self._dio(1))
        self._pos = 0
        self._addr = 0
        self._writing = False
        self._ok = False  # the current SPI access may touch the chip
        self._power_on()

    def _power_on(self):
        r = self.regs
        for i in range(128):
            r[i] = 0
        for addr, value in _SX1276_DEFAULTS.items():
            r[addr] = value
        r[0x42] = self.version
        self._ready_us = now_us() + _SX1276_RESET_US

    # -- decoded settings ---------------------------------------------------------------------

    @property
    def lora(self):
        return bool(self.regs[0x01] & 0x80)

    @property
    def mode(self):
        return _SX1276_MODES[self.regs[0x01] & 7]

    def settings(self, payload=b"", t=None):
        # the registers as a Transmission (None: a setting the simulator does not model); t: one to
        # set anew in place instead of a new one
        r = self.regs
        frf = (r[0x06] << 16) | (r[0x07] << 8) | r[0x08]
        bw = r[0x1D] >> 4
        if bw >= len(BANDWIDTHS_KHZ) or r[0x1E] >> 4 < 7:
            self._note("bandwidth code %d / SF %d in RegModemConfig is not modelled" % (bw, r[0x1E] >> 4))
            return None
        t = _renewed(t, (now_us(), _nominal((frf * 32000000) >> 19), r[0x1E] >> 4, BANDWIDTHS_KHZ[bw],
                         ((r[0x1D] >> 1) & 7) + 4, payload),
                     {"preamble": (r[0x20] << 8) | r[0x21], "crc": bool(r[0x1E] & 0x04), "ldro": bool(r[0x26] & 0x08),
                      "sync_word": r[0x39], "power_dbm": self.power_dbm()})
        if r[0x1D] & 1:
            self._note("implicit header mode is not modelled")
        return t

    def _rx_iq(self):
        # bit 6 inverts RX; RegInvertIQ2 has to match (None: a half-made setting that hears nothing)
        inverted = bool(self.regs[0x33] & 0x40)
        if self.regs[0x3B] != (0x19 if inverted else 0x1D):
            self._note("RegInvertIQ 0x%02x with RegInvertIQ2 0x%02x: the IQ setting is half made, nothing is heard"
                       % (self.regs[0x33], self.regs[0x3B]))
            return None
        return inverted

    def power_dbm(self):
        r = self.regs
        if not r[0x09] & 0x80:  # RFO: Pmax - (15 - OutputPower), Pmax = 10.8 + 0.6 MaxPower
            return (108 + 6 * ((r[0x09] >> 4) & 7)) // 10 - 15 + (r[0x09] & 0x0F)
        return (r[0x09] & 0x0F) + (5 if (r[0x4D] & 0x07) == 0x07 else 2)  # DS 5.4.3

    def ocp_ma(self):
        trim = self.regs[0x0B] & 0x1F  # DS 5.4.4
        return 45 + 5 * trim if trim <= 15 else -30 + 10 * trim if trim <= 27 else 240

    # -- SPI ----------------------------------------------------------------------------------

    def _nss(self, level):
        if level == 0 and not self.selected:
            self.selected = True
            self._pos = 0
            self.update()
        elif level and self.selected:
            self.selected = False

    def _usable(self):
        if self._in_reset:
            self._note("SPI access while NRESET is low: ignored")
            return False
        if now_us() < self._ready_us:
            self._note("SPI access less than 5 ms after reset (DS 7.2.2): ignored")
            return False
        return True

    def exchange(self, b):
        pos = self._pos
        self._pos = pos + 1
        if pos == 0:
            self._addr = b & 0x7F
            self._writing = bool(b & 0x80)
            self._ok = self._usable()
            return 0
        if not self._ok:
            return 0
        addr = self._addr
        out = 0
        if self._writing:
            self._write(addr, b)
        else:
            out = self._read(addr)
        if addr:
            self._addr = (addr + 1) & 0x7F
        return out

    def _fifo_access(self, writing):
        mode = self.regs[0x01] & 7
        if not self.lora or mode == 0 or (writing and mode != 1):
            self._note("FIFO %s in %s mode %s: refused (the LoRa FIFO is filled in standby, DS 4.1.6; "
                       "not accessible in sleep, DS 4.1.5)"
                       % ("written" if writing else "read", "LoRa" if self.lora else "FSK", self.mode))
            return False
        return True

    def _read(self, addr):
        r = self.regs
        if addr == 0:
            if not self._fifo_access(False):
                return 0
            out = self.fifo[r[0x0D]]
            r[0x0D] = (r[0x0D] + 1) & 0xFF
            return out
        if 0x0D <= addr <= 0x3F and not self.lora:
            return self.fsk[addr]
        return r[addr]

    def _write(self, addr, v):
        r = self.regs
        if addr == 0:
            if self._fifo_access(True):
                self.fifo[r[0x0D]] = v
                r[0x0D] = (r[0x0D] + 1) & 0xFF
        elif addr == 0x01:
            self._op_mode(v)
        elif 0x0D <= addr <= 0x3F and not self.lora:
            self._note("register 0x%02x written in FSK/OOK mode, where it is no LoRa register: "
                       "set LoRa mode (in sleep) first" % addr)
            self.fsk[addr] = v
        elif addr == 0x12:
            r[0x12] &= ~v  # a 1 clears the flag
        elif addr not in _SX1276_READ_ONLY:
            r[addr] = v

    def _op_mode(self, v):
        # DS 6.4, RegOpMode: LongRangeMode can be modified only in sleep; otherwise the write of
        # that bit is ignored.
        r = self.regs
        old = r[0x01]
        if (v ^ old) & 0x80 and old & 7:
            self._note("LongRangeMode changed outside sleep (RegOpMode 0x%02x -> 0x%02x): ignored by the chip (DS 6.4)"
                       % (old, v))
            v = (v & 0x7F) | (old & 0x80)
        r[0x01] = v
        mode = v & 7
        if mode != (old & 7) or mode in (3, 6):
            self._cancel()
            start = now_us() + (_TS_OSC_US if (old & 7) == 0 else 0) + _TS_FS_US
            if mode == 3:
                self._begin_tx(start)
            elif mode == 6:
                self._begin_rx(start)
            elif mode == 5:
                self._note("RX continuous mode is not modelled: nothing is received")

    def _begin_tx(self, start):
        r = self.regs
        if not self.lora:
            self._note("TX in FSK/OOK mode is not modelled")
            return
        n = r[0x22]
        base = r[0x0E]
        payload = bytes(self.fifo[(base + i) & 0xFF] for i in range(n))
        t = self.settings(payload)
        if t is None:
            return
        t.start_us = start
        t.end_us = start + t.toa_us
        t.t = t.end_us // 1000
        t.iq_inverted = not (r[0x33] & 0x01)  # bit 0 clear: TX inverted
        on_air = True
        if not r[0x09] & 0x80 and self.pa_boost_only:
            self._note("TX on the RFO pin, which this board leaves unconnected: nothing reaches the antenna")
            on_air = False
        if t.power_dbm > 17 and self.ocp_ma() < 120:
            self._note("+%d dBm with the current limit at %d mA: the PA browns out (DS 5.4.4)"
                       % (t.power_dbm, self.ocp_ma()))
        self._start_tx(t, on_air)

    def _begin_rx(self, start):
        r = self.regs
        if not self.lora:
            self._note("RX in FSK/OOK mode is not modelled")
            return
        t = self.settings(t=self._listen)
        symbols = ((r[0x1E] & 0x03) << 8) | r[0x1F]  # DS 4.1.6: RX single, RegSymbTimeout
        close = start + symbols * (symbol_us(t.sf, t.bw_khz) if t else 0)
        if t is not None:
            t.iq_inverted = self._rx_iq()
            if t.iq_inverted is None:
                t = None
        self._start_rx(t, start, close)

    def _tx_done(self):
        self.regs[0x12] |= 0x08  # TxDone
        self.regs[0x01] = (self.regs[0x01] & 0xF8) | 1  # back to standby

    def _rx_done(self, frame):
        r = self.regs
        if frame is None:
            r[0x12] |= 0x80  # RxTimeout
        else:
            base = r[0x0F]
            for i, b in enumerate(frame.payload):
                self.fifo[(base + i) & 0xFF] = b
            r[0x10] = base
            r[0x13] = len(frame.payload)
            snr4 = frame.snr * 4
            r[0x19] = snr4 & 0xFF
            offset = 164 if r[0x01] & 0x08 else 157  # DS 5.5.5
            r[0x1A] = max(0, min(255, frame.rssi + offset - (frame.snr if frame.snr < 0 else 0)))
            r[0x12] |= 0x50  # RxDone, ValidHeader
        r[0x01] = (r[0x01] & 0xF8) | 1

    def _dio(self, n):
        self.update()
        m = self.regs[0x40]
        flags = self.regs[0x12]
        if n == 0:
            return int(bool(flags & (0x40, 0x08, 0x04, 0)[m >> 6]))  # RxDone, TxDone, CadDone
        return int(bool(flags & (0x80, 0x02, 0x01, 0)[(m >> 4) & 3]))  # RxTimeout, FhssChange, CadDetected


# -- SX1262 -------------------------------------------------------------------------------------

_SX1262_REGISTERS = {0x0736: 0x0D, 0x0740: 0x14, 0x0741: 0x24, 0x08AC: 0x94, 0x08E7: 0x18}
_SX1262_BW = (7.8, 15.6, 31.25, 62.5, 125, 250, 500, None, 10.4, 20.8, 41.7)  # by code (13.4.5)
_SLEEP, _STDBY_RC, _STDBY_XOSC, _FS, _RX, _TX = "SLEEP", "STDBY_RC", "STDBY_XOSC", "FS", "RX", "TX"
_STATUS_MODE = {_STDBY_RC: 2, _STDBY_XOSC: 3, _FS: 4, _RX: 5, _TX: 6}  # GetStatus bits 6-4 (13.5.1)
# DS 8.3.1, BUSY switching times (us): to TX, RX, FS from STDBY_RC, STDBY_XOSC, FS
_TO_TX = {_STDBY_RC: 126, _STDBY_XOSC: 105, _FS: 76}
_TO_RX = {_STDBY_RC: 83, _STDBY_XOSC: 62, _FS: 41}
_TO_FS = {_STDBY_RC: 50, _STDBY_XOSC: 40, _FS: 1}
_COMMAND_US = 1  # any other command: BUSY for about 600 ns
_COLD_START_US = 3500  # after NRESET or a cold sleep
_WARM_START_US = 340
_CALIBRATION_US = 3500  # 13.1.12, all blocks; the datasheet gives no figure for CalibrateImage alone
_XOSC_START_ERR = 0x0020  # 13.6.1
_TCXO_VOLTS = (1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3)
_READS = (0xC0, 0x12, 0x13, 0x14, 0x15, 0x17, 0x11, 0x1D, 0x1E, 0x10)  # commands that answer
_IMAGE_868 = (0xD7, 0xDB)  # DS 9.2.1, table 9-2


class SX1262(_Chip):
    name = "sx1262"

    def __init__(self, air=None, tcxo_v=1.8, dio2_rf_switch=True):
        super().__init__(air)
        self.tcxo_v = tcxo_v  # the board's TCXO on DIO3 (None: a plain crystal)
        self.board_rf_switch = dio2_rf_switch  # the board's antenna switch hangs on DIO2
        self.busy_pin = Pin(read=self._busy_level)
        self.dio1_pin = Pin(read=lambda: int(bool(self.irq & self.dio1_mask)))
        self.buffer = bytearray(256)
        self.last = {}  # opcode -> the parameter bytes it was last sent with (None: not kept)
        self.log = None  # a list, to record every command (bytes) executed
        self._cmd = bytearray()
        self._reply = b""
        self._lost = None  # why the command being clocked in is lost: "reset", "wake", "busy"
        self._power_on()

    def _power_on(self, warm=False):
        if not warm:
            self.regs = dict(_SX1262_REGISTERS)
            self.packet_type = 0  # GFSK
            self.freq_hz = 915000000
            self.sf, self.bw_khz, self.cr, self.ldro = 7, 125, 5, False
            self.preamble, self.explicit, self.length, self.crc, self.iq_inverted = 8, True, 255, True, False
            self.tx_base = self.rx_base = 0
            self.symbols = 0
            self.tcxo = None  # (voltage, start-up us) once SetDIO3AsTcxoCtrl came
            self.rf_switch = False
            self.irq_mask = self.dio1_mask = 0
            self.power_dbm = 14
            self.image = (0xE1, 0xE9)  # calibrated for 902-928 MHz at power-up (DS 9.2.1)
            self.errors = _XOSC_START_ERR if self.tcxo_v is not None else 0  # calibrated without TCXO power
        self.irq = 0
        self.mode = _STDBY_RC
        self.warm = False
        self.busy_until = now_us() + (_WARM_START_US if warm else _COLD_START_US)
        self.rx_status = (0, 0)
        self.packet_status = (0, 0, 0)

    def _busy_level(self):
        self.update()
        return int(self._in_reset or self.mode == _SLEEP or now_us() < self.busy_until)

    def _status(self):
        return _STATUS_MODE.get(self.mode, 0) << 4

    # -- SPI ----------------------------------------------------------------------------------

    def _nss(self, level):
        if level == 0 and not self.selected:
            self.selected = True
            self.update()
            self._cmd = bytearray()
            self._reply = b""
            if self._in_reset:
                self._lost = "reset"
            elif self.mode == _SLEEP:
                self._lost = "wake"  # the falling edge wakes the chip; this command is lost
                self._power_on(self.warm)
            else:
                self._lost = "busy" if now_us() < self.busy_until else None
        elif level and self.selected:
            self.selected = False
            cmd = self._cmd
            if not cmd:
                return
            if self._lost == "busy":
                self._note("command 0x%02x sent while BUSY was high: the chip ignored it (DS 8.3.1)" % cmd[0])
            elif self._lost == "reset":
                self._note("command 0x%02x sent while NRESET is low: ignored" % cmd[0])
            elif self._lost is None:
                self._execute(cmd[0], bytes(cmd[1:]))

    def exchange(self, b):
        cmd = self._cmd
        pos = len(cmd)
        cmd.append(b)
        if self._lost:
            return 0xFF if self._lost == "busy" else 0
        op = cmd[0]
        if op == 0x1D:  # ReadRegister: address, status, data
            if pos < 4:
                return self._status()
            return self.regs.get(((cmd[1] << 8) | cmd[2]) + pos - 4, 0)
        if op == 0x1E:  # ReadBuffer: offset, status, data
            if pos < 3:
                return self._status()
            return self.buffer[(cmd[1] + pos - 3) & 0xFF]
        if pos == 1:
            self._reply = self._answer(op)
        if pos >= 2 and pos - 2 < len(self._reply):
            return self._reply[pos - 2]
        return self._status()

    def _answer(self, op):
        # the data bytes (after the status byte) a read command answers with
        if op == 0x12:
            return bytes((self.irq >> 8, self.irq & 0xFF))
        if op == 0x17:
            return bytes((self.errors >> 8, self.errors & 0xFF))
        if op == 0x13:
            return bytes(self.rx_status)
        if op == 0x14:
            return bytes(self.packet_status)
        if op == 0x11:
            return bytes((self.packet_type,))
        return b""

    # -- commands -----------------------------------------------------------------------------

    def _execute(self, op, p):
        if self.last is not None:
            self.last[op] = p
        if self.log is not None:
            self.log.append(bytes((op,)) + p)
        busy = _COMMAND_US
        mode = self.mode
        if op in _READS:
            pass
        elif op == 0x80:  # SetStandby
            self._cancel()
            if p[0] and mode == _STDBY_RC:
                busy = 31 + self._tcxo_start()
            self.mode = _STDBY_XOSC if p[0] else _STDBY_RC
        elif op == 0x84:  # SetSleep (13.1.1): from standby only
            if mode in (_STDBY_RC, _STDBY_XOSC):
                self.mode = _SLEEP
                self.warm = bool(p[0] & 0x04)
            else:
                self._note("SetSleep in %s: refused (sleep is entered from standby, DS 13.1.1)" % mode)
        elif op == 0x89:  # Calibrate (13.1.12), in STDBY_RC
            if self._in_standby_rc("Calibrate"):
                busy = _CALIBRATION_US + self._tcxo_start()
                if not self._reference_runs("calibration"):
                    self.errors |= _XOSC_START_ERR
        elif op == 0x98:  # CalibrateImage (13.1.13), in STDBY_RC
            if self._in_standby_rc("CalibrateImage"):
                self.image = (p[0], p[1])
                busy = _CALIBRATION_US + self._tcxo_start()
        elif op == 0x97:  # SetDIO3AsTcxoCtrl (13.3.6)
            self.tcxo = (_TCXO_VOLTS[p[0] & 7], ((p[1] << 16) | (p[2] << 8) | p[3]) * 1000 // 64)
        elif op == 0x9D:
            self.rf_switch = bool(p[0] & 1)
        elif op == 0x07:
            self.errors = 0
        elif op == 0x8A:  # SetPacketType (13.4.2): in standby
            if mode in (_STDBY_RC, _STDBY_XOSC):
                self.packet_type = p[0]
            else:
                self._note("SetPacketType in %s: refused (standby only, DS 13.4.2)" % mode)
        elif op == 0x86:
            self.freq_hz = _nominal((((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) * 32000000) >> 25)
        elif op == 0x8B:  # SetModulationParams (13.4.5)
            if self._lora("SetModulationParams"):
                bw = _SX1262_BW[p[1]] if p[1] < len(_SX1262_BW) else None
                if bw is None or not 7 <= p[0] <= 12 or not 1 <= p[2] <= 4:
                    self._note("SetModulationParams %s is not modelled" % p.hex())
                else:
                    self.sf, self.bw_khz, self.cr, self.ldro = p[0], bw, p[2] + 4, bool(p[3])
        elif op == 0x8C:  # SetPacketParams (13.4.6)
            if self._lora("SetPacketParams"):
                self.preamble = (p[0] << 8) | p[1]
                self.explicit = not p[2]
                self.length, self.crc, self.iq_inverted = p[3], bool(p[4]), bool(p[5])
                if p[2]:
                    self._note("implicit header mode is not modelled")
        elif op == 0x8F:
            self.tx_base, self.rx_base = p[0], p[1]
        elif op == 0xA0:
            self.symbols = p[0]
        elif op == 0x8E:
            self.power_dbm = p[0] - 256 if p[0] > 127 else p[0]
        elif op == 0x08:
            self.irq_mask = (p[0] << 8) | p[1]
            self.dio1_mask = ((p[2] << 8) | p[3]) & self.irq_mask
        elif op == 0x02:
            self.irq &= ~((p[0] << 8) | p[1])
        elif op == 0x0D:
            addr = (p[0] << 8) | p[1]
            for i, v in enumerate(p[2:]):
                self.regs[addr + i] = v
        elif op == 0x0E:
            for i, v in enumerate(p[1:]):
                self.buffer[(p[0] + i) & 0xFF] = v
        elif op == 0x83:
            busy = self._set_tx((p[0] << 16) | (p[1] << 8) | p[2])
        elif op == 0x82:
            busy = self._set_rx((p[0] << 16) | (p[1] << 8) | p[2])
        elif op == 0xC1:
            busy = _TO_FS.get(mode, 50) + self._tcxo_start()
            self.mode = _FS
        elif op not in (0x96, 0x95):  # SetRegulatorMode, SetPaConfig: kept in `last` only
            self._note("command 0x%02x is not modelled" % op)
        self.busy_until = now_us() + busy

    def _in_standby_rc(self, what):
        if self.mode != _STDBY_RC:
            self._note("%s in %s: refused (STDBY_RC only)" % (what, self.mode))
            return False
        return True

    def _lora(self, what):
        if self.packet_type != 1:
            self._note("%s while the packet type is not LoRa: not LoRa settings (SetPacketType first, DS 13.4.2)"
                       % what)
            return False
        return True

    def _tcxo_start(self):
        # leaving STDBY_RC starts the reference: a TCXO on DIO3 first gets its start-up time
        return self.tcxo[1] if self.tcxo and self.mode == _STDBY_RC else 0

    def _reference_runs(self, what):
        if self.tcxo_v is None:
            return True
        if self.tcxo is None:
            self._note("%s without the TCXO powered by DIO3 (SetDIO3AsTcxoCtrl, DS 13.3.6): the oscillator "
                       "does not start" % what)
            return False
        if abs(self.tcxo[0] - self.tcxo_v) > 0.05:
            self._note("DIO3 gives the TCXO %s V, this board's wants %s V: the oscillator does not start"
                       % (self.tcxo[0], self.tcxo_v))
            return False
        return True

    def _settings(self, payload=b"", t=None):
        # The modem's settings as a Transmission (with payload: the frame to send); t: one to set
        # anew in place instead of a new one
        return _renewed(t, (now_us(), self.freq_hz, self.sf, self.bw_khz, self.cr, payload),
                        {"preamble": self.preamble, "crc": self.crc, "iq_inverted": self.iq_inverted,
                         "ldro": self.ldro, "power_dbm": self.power_dbm,
                         "sync_word": (self.regs.get(0x0740, 0) & 0xF0) | (self.regs.get(0x0741, 0) >> 4)})

    def _set_tx(self, timeout):
        start = now_us() + _TO_TX.get(self.mode, 126) + self._tcxo_start()
        self._cancel()
        self.mode = _TX
        if timeout:
            self._note("SetTx with a timeout is not modelled: it is ignored")
        if self.packet_type != 1:
            self._note("SetTx with packet type GFSK is not modelled: nothing is sent")
            return start - now_us()
        if not self._reference_runs("SetTx"):
            self.errors |= _XOSC_START_ERR
            return start - now_us()  # no TX done ever comes
        n = self.length
        t = self._settings(bytes(self.buffer[(self.tx_base + i) & 0xFF] for i in range(n)))
        t.start_us = start
        t.end_us = start + t.toa_us
        t.t = t.end_us // 1000
        on_air = True
        if self.board_rf_switch and not self.rf_switch:
            self._note("SetTx with DIO2 not driving the antenna switch (SetDIO2AsRfSwitchCtrl, DS 13.3.5): "
                       "nothing reaches the antenna")
            on_air = False
        self._start_tx(t, on_air)
        return start - now_us()  # BUSY low once the preamble starts

    def _set_rx(self, timeout):
        start = now_us() + _TO_RX.get(self.mode, 83) + self._tcxo_start()
        self._cancel()
        self.mode = _RX
        if self.packet_type != 1:
            self._note("SetRx with packet type GFSK is not modelled: nothing is received")
            return start - now_us()
        if not self._reference_runs("SetRx"):
            self.errors |= _XOSC_START_ERR
            return start - now_us()
        if 863000000 <= self.freq_hz <= 870000000 and self.image != _IMAGE_868:
            self._note("RX at %d Hz with the image calibrated for another band (CalibrateImage, DS 9.2.1)"
                       % self.freq_hz)
        t = self._settings(t=self._listen)
        if self.iq_inverted == bool(self.regs.get(0x0736, 0) & 0x04):
            self._note("%s IQ with bit 2 of register 0x0736 %s (DS 15.4): nothing is heard"
                       % (("inverted", "set") if self.iq_inverted else ("standard", "cleared")))
            t = None
        closes = []
        if self.symbols:  # DS 9.6: no lock after that many symbols -> Timeout
            closes.append(start + self.symbols * symbol_us(self.sf, self.bw_khz))
        if timeout and timeout != 0xFFFFFF:
            closes.append(start + timeout * 1000 // 64)
        if not closes:
            self._note("RX without a symbol or timer timeout is not modelled beyond 60 s")
            closes.append(start + NO_TIMEOUT_US)
        self._start_rx(t, start, min(closes))
        return start - now_us()

    def _tx_done(self):
        self.irq |= 0x0001 & self.irq_mask
        self.mode = _STDBY_RC  # the fallback mode (13.1.15)

    def _rx_done(self, frame):
        if frame is None:
            self.irq |= 0x0200 & self.irq_mask  # Timeout
        else:
            for i, b in enumerate(frame.payload):
                self.buffer[(self.rx_base + i) & 0xFF] = b
            self.rx_status = (len(frame.payload), self.rx_base)
            rssi = max(0, min(255, -2 * frame.rssi))
            self.packet_status = (rssi, (frame.snr * 4) & 0xFF, rssi)
            self.irq |= 0x0012 & self.irq_mask  # RxDone, HeaderValid
        self.mode = _STDBY_RC


# -- a board's radio ----------------------------------------------------------------------------

def chip(lora, trace=None, air=None):
    # The simulated chip for a board file's `lora` entry -> (chip, SPI bus, the pins for the driver);
    # with a trace, the air takes its downlinks from the trace's radio records.
    air = air or AIR
    if trace:
        air.follow(trace)
    if lora["chip"] in ("sx1261", "sx1262"):
        c = SX1262(air, tcxo_v=lora.get("tcxo_v"), dio2_rf_switch=lora.get("dio2_rf_switch", False))
        return c, SPI(c), {"busy": c.busy_pin, "dio1": c.dio1_pin if lora.get("dio1") is not None else None}
    c = SX1276(air)
    return c, SPI(c), {"dio0": c.dio0_pin if lora.get("dio0") is not None else None,
                       "dio1": c.dio1_pin if lora.get("dio1") is not None else None}


def radio(lora, trace=None, air=None):
    # The real driver for a board file's `lora` entry over its simulated chip on a simulated SPI bus.
    from node.radio import make

    c, bus, pins = chip(lora, trace, air)
    return make(lora, bus, c.nss_pin, c.reset_pin, **pins)
