# A LoRaWAN Class A end device: LoRaWAN L2 1.0.4 (TS001-1.0.4, "spec") with the EU868 regional
# parameters (RP002-1.0.3, "RP"), over one node.radio driver. Join (OTAA, or a session from the
# config for ABP), uplinks with their two receive windows, downlinks with their MAC commands
# (net/lorawan_mac.py), frame counters that are never used twice, the duty cycle of every sub-band
# and The Things Network's fair-use budget. The join is in net/lorawan_join.py; what must outlive
# the MAC goes to RTC memory and flash (net/lorawan_state.py). docs/lorawan.md.
import binascii
import os
import struct

from micropython import const

from node import clock, log, persist
from node.net import lorawan_frames as lf
from node.radio import time_on_air_us

# -- EU863-870: the regional parameters of RP002-1.0.3 (section 2.4, "RP") and the duty cycle of
# each sub-band (ETSI EN 300 220-2, ERC Recommendation 70-03 annex 1, to which RP 2.4 refers) ----
MAX_DR = const(6)  # DR0..DR5: SF12..SF7 at 125 kHz, DR6: SF7 at 250 kHz; DR7 (FSK) is not supported
MAX_MAC_PAYLOAD = b"\x3b\x3b\x3b\x7b\xfa\xfa\xfa"  # M per DR (RP 2.4.6): 59, 59, 59, 123, 250, ...
DEFAULT_CHANNELS = (868100000, 868300000, 868500000)  # RP 2.4.2, DR0..DR5, never changed
CHANNELS = const(16)
_DRS = const(8 * CHANNELS)  # in Mac.chans: where the channels' DR ranges start
PLAN_BYTES = const(_DRS + CHANNELS)  # Mac.chans: per channel its two frequencies, then their DR ranges
RX2_FREQ = const(869525000)  # RP 2.4.7
RX2_DR = const(0)
RECEIVE_DELAY1_S = const(1)
JOIN_ACCEPT_DELAY1_MS = const(5000)  # RX2 one second later (TS001 6.2.6)
MAX_EIRP_DBM = const(16)  # RP 2.4.3; TXPower n means MaxEIRP - 2n dB, n = 0..7
ANTENNA_GAIN_DB = const(2)  # a typical stub antenna: conducted power = EIRP - 2 dB (14 dBm at TXPower 0)

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
ALL_BANDS = const(6)  # in Mac._bands after the six sub-bands: every channel at once (DutyCycleReq)


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


# -- the MAC ------------------------------------------------------------------------------------

# send() results
SENT = const(1)  # unconfirmed: on the air NbTrans times, or until a downlink came
ACKED = const(2)  # confirmed, and the network acknowledged it
NO_ACK = const(3)  # confirmed, no acknowledgement in any receive window
TOO_LONG = const(4)  # does not fit the data rate's maximum payload
NO_COUNTER = const(5)  # the flash refused to reserve frame counters: nothing sent

FCNT_BLOCK = const(32)  # frame counters reserved on flash at a time (one write per FCNT_BLOCK uplinks)
ADR_ACK_LIMIT = const(64)  # spec 4.3.1.1
ADR_ACK_DELAY = const(32)
JOIN_DRS = b"\x05\x05\x04\x03\x02\x01\x00"  # data rate of the n-th join attempt, then again
# The Things Network's fair use per device: 30 s of uplink airtime and 10 downlinks in 24 h. As
# credit that grows 1 per ms up to a cap: an uplink costs 16/5 ms per us of airtime (27 s a day)
# with 3 s of airtime as the cap, a downlink 3 h of credit (8 a day) with 2 as the cap, so any
# 24 h window holds at most 30 s and 10 downlinks.
AIR_CAP = const(9600000)
DL_COST = const(10800000)
DL_CAP = const(21600000)
HOUR_MS = const(3600000)
DAY_MS = const(86400000)
FRAME_MAX = const(96)  # an uplink: 13 bytes of header and MIC, 15 of FOpts, the payload (up to 47)
FRAME = bytearray(FRAME_MAX)  # the uplink being built (a node has one MAC)
_RX_EARLY_MS = const(3)  # a receive window opens this much before its nominal start
_MAX_WAIT_MS = const(DAY_MS)  # longer than any off-time: a tick this far ahead is stale
# on flash (net/lorawan_state.py reads them back)
SESSION_FILE = "lorawan/session"
FCNT_FILE = "lorawan/fcnt"
NONCE_FILE = "lorawan/devnonce"
SESSION_VERSION = const(1)
# version, identity, DevAddr, FCntDown, NwkSKey, AppSKey, RX1 delay, RX1DROffset, RX2 DR, RX2 Hz,
# DR, TXPower, NbTrans, MaxDutyCycle, channel mask; then the channels (8 bytes each), their DR ranges
SESSION = "<BIII16s16sBBBIBBBBH"
# what the MAC asks the network for (in FOpts)
WANT_LINK_CHECK = const(1)
WANT_TIME = const(2)
_LINK_CHECK_REQ = const(0x02)
_DEVICE_TIME_REQ = const(0x0D)
# length of each uplink MAC command with its CID, by CID (0: not one we send)
_UP_LENGTH = b"\x00\x00\x01\x02\x01\x02\x03\x02\x01\x00\x02\x00\x00\x01"


def _rand(n):
    return int.from_bytes(os.urandom(2), "little") % n


# Parts needed now and then are loaded for the occasion and their RAM given back after it:
# lorawan_state (start-up, deep sleep), lorawan_join and lorawan_otaa (until joined), lorawan_mac
# (a downlink with MAC commands, the ADR back-off).
def _module(name):
    import sys

    __import__("node.net." + name)
    return sys.modules["node.net." + name]


def _drop(name):
    import gc
    import sys

    import node.net

    sys.modules.pop("node.net." + name, None)
    node.net.__dict__.pop(name, None)
    gc.collect()  # its blocks free again, before anything is put among them


def _intern(name):
    # A module needed now and then, loaded once and dropped at once, so that its names are interned
    # while the heap is young (node/__init__.py): without it, the kit's LoRa node failed every
    # downlink with MAC commands. Done once joined (the join's modules are gone by then), not at a
    # deep sleep's wake, which is short.
    _module(name)
    _drop(name)


def _state(function, *args):
    try:
        return getattr(_module("lorawan_state"), function)(*args)
    finally:
        _drop("lorawan_state")


def session_bytes(mac):
    return struct.pack(SESSION, SESSION_VERSION, identity(mac.lora), mac.dev_addr, mac.fcnt_down, mac.nwk, mac.app,
                       mac.rx1_delay, mac.rx1_offset, mac.rx2_dr, mac.rx2_freq, mac.dr, mac.power, mac.nbtrans,
                       mac.max_dc, mac.mask) + mac.chans


def identity(lora):
    # A digest of the device's keys: a session kept for other keys (re-provisioned) is not used.
    keys = [lora[k] or "" for k in ("dev_eui", "join_eui", "app_key", "dev_addr", "nwk_s_key", "app_s_key")]
    return binascii.crc32(" ".join(keys).encode())


def save_ints(path, values):
    # persist.save_ints in the MAC's directory; raises OSError when the flash refuses
    try:
        os.mkdir("lorawan")
    except OSError:
        pass  # exists
    persist.save_ints(path, values)


def save_session(mac):
    # the session and what the network set, on flash: at a join and after a downlink
    try:
        with open(SESSION_FILE + ".tmp", "wb") as f:
            f.write(session_bytes(mac))
        os.rename(SESSION_FILE + ".tmp", SESSION_FILE)
    except OSError as e:  # the session in RAM is right; after a power loss the node joins again
        log.warn("lora: session not saved (%s)" % e)


def defaults(mac):
    # The channel plan and receive settings of RP 2.4 (after a join, before any MAC command)
    mac.rx1_delay = RECEIVE_DELAY1_S
    mac.rx1_offset = 0
    mac.rx2_dr = RX2_DR
    mac.rx2_freq = RX2_FREQ
    mac.dr = mac.lora["dr"]
    mac.power = 0  # TXPower index
    mac.nbtrans = 1
    mac.max_dc = 0  # DutyCycleReq: 1/2**max_dc over all channels
    mac.chans = bytearray(PLAN_BYTES)  # uplink Hz, downlink Hz (0: the uplink's); max DR << 4 | min DR
    for i in range(3):
        mac.set_channel(i, DEFAULT_CHANNELS[i], 0x50)
    mac.mask = 7


class Mac:
    # Its attributes (the session, the channel plan, the counters, the budgets, the answers
    # pending) are set up by net/lorawan_state.py init(): from RTC memory after a deep sleep,
    # from flash after a power loss, else fresh. At most 37 of them: the 38th grows the
    # instance's table to 47 entries, one piece of 752 bytes (64-bit port; 376 on an ESP32) in the
    # middle of a LoRa node's boot.
    def __init__(self, radio, lora, board):
        # lora: the config's "lora" section (node.config); board: for RTC memory and the battery
        _state("init", self, radio, lora, board)
        if self.joined and board.reset_cause() != "deepsleep":
            _intern("lorawan_mac")

    # -- channels --------------------------------------------------------------------------------

    def up_freq(self, ch):
        return struct.unpack_from("<I", self.chans, 8 * ch)[0]

    def dl_freq(self, ch):
        return struct.unpack_from("<I", self.chans, 8 * ch + 4)[0] or self.up_freq(ch)

    def set_channel(self, ch, freq, drs, dl=0):
        struct.pack_into("<II", self.chans, 8 * ch, freq, dl)
        self.chans[_DRS + ch] = drs

    def usable(self, ch, dr, mask=None):
        d = self.chans[_DRS + ch]
        return ((self.mask if mask is None else mask) >> ch) & 1 and self.up_freq(ch) and d & 15 <= dr <= d >> 4

    def _pick(self, dr, last, avoid=-1):
        # A random channel < last for dr whose sub-band may send now (another than avoid if one
        # can) -> (channel or -1, ms until the first one may)
        now = clock.ticks()
        pick = spare = -1
        n = 0
        wait = _MAX_WAIT_MS
        for ch in range(last):
            if not self.usable(ch, dr):
                continue
            w = clock.diff(self._bands[band(self.up_freq(ch))], now)
            if w > 0:
                wait = min(wait, w)
            elif ch == avoid:
                spare = ch
            else:
                n += 1
                if _rand(n) == 0:
                    pick = ch
        pick = pick if pick >= 0 else spare
        return pick, 0 if pick >= 0 else wait

    # -- waiting ---------------------------------------------------------------------------------

    def _accrue(self):
        # Fair-use credit and the DeviceTime countdown move on; stale ticks are forgotten.
        now = clock.ticks()
        dt = clock.diff(now, self._credit_at)
        self._credit_at = now
        self._air = min(AIR_CAP, self._air + dt)
        self._dl = min(DL_CAP, self._dl + dt)
        self._time_left -= dt
        if self._time_left <= 0 and self.joined:
            self.want |= WANT_TIME
        for i in range(len(self._bands)):
            if clock.diff(self._bands[i], now) <= 0:
                self._bands[i] = now
        return now

    def _duty_wait(self, dr, last):
        now = self._accrue()
        w = self._pick(dr, last)[1]
        return max(w, clock.diff(self._bands[ALL_BANDS], now))

    def join_wait_ms(self):
        # ms until the next join-request may go (net/lorawan_join.py); why says what it waits for
        return _module("lorawan_join").wait_ms(self)

    def wait_ms(self, length, confirmed):
        # ms until an uplink with length bytes of payload may go (0: now); why says what it waits for
        w = self._duty_wait(self.dr, CHANNELS)
        self.why = "duty_cycle"
        if self.lora["fair_use"]:
            fopts = len(self._sticky) + len(self._ans) + (2 if self.want else 0)
            need = self._toa(self.dr, 13 + fopts + length) * 16 // 5 - self._air
            if need > w:
                w, self.why = need, "fair_use"
            if confirmed and DL_COST - self._dl > w:
                w, self.why = DL_COST - self._dl, "downlinks"
        return max(w, 0)

    def _toa(self, dr, length):
        return time_on_air_us(length, sf(dr), bw(dr))

    def _can_ask(self):
        return not self.lora["fair_use"] or self._dl >= DL_COST

    # -- the radio -------------------------------------------------------------------------------

    async def _tx(self, ch, dr, n):
        r = self.radio
        freq = self.up_freq(ch)
        lo, hi = r.POWER_DBM
        r.configure(freq, sf(dr), bw(dr), power_dbm=max(lo, min(hi, tx_dbm(self.power))))
        toa = r.time_on_air_us(n)
        tick = await r.send(memoryview(FRAME)[:n])
        r.sleep()
        self._last_tx = tick
        b = band(freq)
        self._bands[b] = clock.add(tick, toa * (BANDS[b][2] - 1) // 1000)
        if self.max_dc:
            self._bands[ALL_BANDS] = clock.add(tick, toa * ((1 << self.max_dc) - 1) // 1000)
        if self.lora["fair_use"]:
            self._air -= toa * 16 // 5
        return tick, toa

    async def _rx(self, at, freq, dr):
        r = self.radio
        r.configure(freq, sf(dr), bw(dr), crc=False, iq_inverted=True)
        ts = r.symbol_us()
        frame = await r.receive(clock.add(at, -_RX_EARLY_MS), min(255, (_RX_EARLY_MS * 2000 + ts - 1) // ts + 6))
        r.sleep()
        return frame

    async def _windows(self, tick, ch, dr, nonce=None):
        # RX1 (on the uplink's channel, its DR lowered by RX1DROffset) and RX2 after an uplink that
        # ended at tick -> the checked downlink (JoinAccept for a join-request: nonce), or None
        if nonce is None:
            d1, dr1 = self.rx1_delay * 1000, max(0, dr - self.rx1_offset)
        else:
            d1, dr1 = JOIN_ACCEPT_DELAY1_MS, dr
        for at, freq, rdr in ((clock.add(tick, d1), self.dl_freq(ch), dr1),
                              (clock.add(tick, d1 + 1000), self.rx2_freq, self.rx2_dr)):
            frame = await self._rx(at, freq, rdr)
            if frame is not None:
                got = self._check(frame, nonce)
                if got is not None:
                    return got
        return None

    def _check(self, frame, nonce):
        p = frame.payload
        try:
            if nonce is not None:
                otaa = _module("lorawan_otaa")
                return otaa.parse_join_accept(p, len(p), otaa.keys(self.lora)[2], nonce)
            d = lf.parse_data(p, len(p), self.dev_addr, self.fcnt_down, self.nwk, self.app)
        except lf.FrameError as e:
            log.warn("lora: downlink dropped (%s)" % e)
            return None
        self._downlink(d, frame.snr)
        return d

    # -- join ------------------------------------------------------------------------------------

    async def join(self):
        # One join attempt (after join_wait_ms() said 0) -> True once joined. The join code is
        # needed only until then: its RAM is given back after a join, also after one whose last
        # steps (saving the session, the log line) ran out of memory.
        try:
            return await _module("lorawan_join").join(self)
        finally:
            if self.joined:
                _drop("lorawan_join")
                _drop("lorawan_otaa")
                _intern("lorawan_mac")

    # -- uplinks ---------------------------------------------------------------------------------

    def _counter(self):
        # The frame counter for the next uplink, reserved on flash before it is used: after a power
        # loss the node continues from the reserved limit, so no counter is sent twice.
        if self.fcnt_up >= self.fcnt_limit:
            limit = self.fcnt_up + FCNT_BLOCK
            try:
                save_ints(FCNT_FILE, (limit,))
            except OSError as e:
                log.error("lora: frame counters not reserved (%s): nothing sent" % e)
                return None
            self.fcnt_limit = limit
        return self.fcnt_up

    def _fopts(self, asks):
        # MAC answers (sticky ones first) and, while a downlink may be asked for, requests -> bytes
        out = self._sticky + self._ans
        self._ans = bytearray()
        if asks or self._can_ask():
            for flag, cid in ((WANT_LINK_CHECK, _LINK_CHECK_REQ), (WANT_TIME, _DEVICE_TIME_REQ)):
                if self.want & flag and len(out) < 15:
                    out.append(cid)
                    self.want &= ~flag
                    if flag == WANT_TIME:
                        self._time_left = HOUR_MS  # asked again in an hour if no answer comes
                    asks = True
        i = 0
        while i < len(out) and i + _UP_LENGTH[out[i]] <= 15:
            i += _UP_LENGTH[out[i]]
        self._ans = out[i:] + self._ans  # what does not fit waits for the next uplink
        return out[:i], asks

    async def send(self, port, payload, confirmed):
        # One uplink (after wait_ms() said 0) -> SENT, ACKED, NO_ACK, TOO_LONG or NO_COUNTER
        fcnt = self._counter()
        if fcnt is None:
            return NO_COUNTER
        fctrl = 0
        asks = confirmed
        if self.lora["adr"]:
            fctrl = lf.ADR
            c = self.adr_cnt - ADR_ACK_LIMIT - ADR_ACK_DELAY
            if c >= 0 and not c % ADR_ACK_DELAY:  # no downlink for long: net/lorawan_mac.py
                try:
                    _module("lorawan_mac").adr_backoff(self, c)
                finally:
                    _drop("lorawan_mac")
            if self.adr_cnt >= ADR_ACK_LIMIT and (asks or self._can_ask()):
                fctrl |= lf.ADR_ACK_REQ
                asks = True
        fopts, asks = self._fopts(asks)
        if self._ack:
            fctrl |= lf.ACK
        dr = self.dr
        mhdr = lf.CONFIRMED_UP if confirmed else lf.UNCONFIRMED_UP
        try:
            n = lf.build_data(FRAME, mhdr, self.dev_addr, fcnt, port, payload, self.nwk, self.app, fctrl, fopts)
        except ValueError:
            n = 256  # larger than the buffer
        if n - 5 > MAX_MAC_PAYLOAD[dr]:
            self._ans = fopts + self._ans  # the answers wait for the next uplink
            return TOO_LONG
        self._ack = False
        self.fcnt_up = fcnt + 1
        self.adr_cnt += 1
        result = NO_ACK if confirmed else SENT
        ch = -1
        for i in range(self.nbtrans):
            if i:  # a repetition: frequency hopping as usual, after the duty cycle allows it
                await clock.sleep_ms(self._duty_wait(dr, CHANNELS))
            ch = self._pick(dr, CHANNELS, ch)[0]
            if ch < 0:
                break
            tick, toa = await self._tx(ch, dr, n)
            if asks and self.lora["fair_use"]:
                self._dl -= DL_COST  # paid as it goes out: the network counts the answer it sends
            d = await self._windows(tick, ch, dr)
            if d is not None:  # any downlink ends the repetitions (spec 4.3.1.2)
                if not asks and self.lora["fair_use"]:
                    self._dl -= DL_COST  # a downlink the uplink did not ask for (its cost is not counted yet)
                if confirmed and d.ack:
                    result = ACKED
                break
        return result

    # -- downlinks -------------------------------------------------------------------------------

    def _downlink(self, d, snr):
        self.fcnt_down = d.fcnt + 1
        self.adr_cnt = 0
        self._sticky = bytearray()  # a downlink came: the sticky answers arrived
        self._ack = d.confirmed
        cmds = d.payload if d.fport == 0 else d.fopts
        log.info("lora down fcnt=%d port=%s ack=%d cmds=%d" % (d.fcnt, d.fport, d.ack, len(cmds)))
        if cmds:
            self._commands(cmds, snr)
        save_session(self)

    def _commands(self, cmds, snr):
        # The MAC command handler is loaded for this downlink only, then its RAM given back.
        try:
            _module("lorawan_mac").process(self, cmds, snr)
        finally:
            _drop("lorawan_mac")

    # -- deep sleep ------------------------------------------------------------------------------

    def rtc(self, ahead_ms):
        # Everything for RTC memory, with time-based state as it will be ahead_ms from now
        # (the next boot, after a deep sleep of that length)
        return _state("rtc_bytes", self, self._accrue(), ahead_ms)
