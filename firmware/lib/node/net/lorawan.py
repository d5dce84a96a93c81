# A LoRaWAN Class A end device: LoRaWAN L2 1.0.4 (TS001-1.0.4, "spec") with the EU868 regional
# parameters (RP002-1.0.3, "RP"), over one node.radio driver. Join (OTAA, or a session from the
# config for ABP), uplinks with their two receive windows, downlinks with their MAC commands
# (net/lorawan_mac.py, loaded only while a downlink carries some), frame counters that are never
# used twice, the duty cycle of every sub-band and The Things Network's fair-use budget. What must
# outlive the MAC goes to RTC memory and flash (net/lorawan_state.py). docs/lorawan.md.
import os
import struct

from micropython import const

from node import clock, log
from node.net import eu868 as eu
from node.net import lorawan_frames as lf
from node.net import lorawan_state as state
from node.radio import time_on_air_us

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
_RX_EARLY_MS = const(3)  # a receive window opens this much before its nominal start
_MAX_WAIT_MS = const(DAY_MS)  # longer than any off-time: a tick this far ahead is stale
# what the MAC asks the network for (in FOpts)
WANT_LINK_CHECK = const(1)
WANT_TIME = const(2)
_LINK_CHECK_REQ = const(0x02)
_DEVICE_TIME_REQ = const(0x0D)
# length of each uplink MAC command with its CID, by CID (0: not one we send)
_UP_LENGTH = b"\x00\x00\x01\x02\x01\x02\x03\x02\x01\x00\x02\x00\x00\x01"


def _rand(n):
    return int.from_bytes(os.urandom(2), "little") % n


class Mac:
    def __init__(self, radio, lora, board):
        # lora: the config's "lora" section (node.config); board: for RTC memory
        self.radio = radio
        self.board = board
        self.dev_eui = bytes.fromhex(lora["dev_eui"])
        self.join_eui = bytes.fromhex(lora["join_eui"] or "00" * 8)
        self.app_key = bytes.fromhex(lora["app_key"] or "00" * 16)
        self.abp = lora["dev_addr"] is not None
        self.adr = lora["adr"]
        self.fair_use = lora["fair_use"]
        self.start_dr = lora["dr"]
        self.lora = lora
        self.ident = state.identity(lora)
        self._buf = bytearray(256)
        self.joined = False
        self.dev_addr = 0
        self.nwk = self.app = b""
        self.fcnt_up = 0  # the next uplink counter
        self.fcnt_limit = 0  # counters below this are reserved on flash
        self.fcnt_down = 0  # the lowest downlink counter still accepted
        self.defaults()
        self._t0 = 0  # ms from power-up (T0 of the join back-off) to this boot
        self._join_used = 0  # us of join-request airtime in the current back-off period
        self._period = 0
        self._tries = 0
        self._join_at = clock.ticks()  # no join-request before this tick
        now = clock.ticks()
        self._bands = [now] * len(eu.BANDS)  # tick from which each sub-band may send again
        self._agg = now  # the same for every channel (DutyCycleReq)
        self._air = self._dl = 0  # fair-use credit (above)
        self._credit_at = now
        self._time_left = 0  # ms until the next DeviceTimeReq is due
        self.adr_cnt = 0
        self._ans = bytearray()  # MAC answers for the next uplink
        self._sticky = bytearray()  # answers repeated in every uplink until a downlink arrives
        self._ack = False  # the next uplink acknowledges a confirmed downlink
        self._asked = False  # the last uplink asked for a downlink (and paid for it)
        self.want = 0
        self.why = None  # what the last wait_ms() waits for: "duty_cycle", "fair_use", "downlinks"
        self._last_tx = now  # tick at the end of the last transmission (DeviceTimeAns counts from it)
        if state.restore(self, board):  # never sent anything: nothing on the air in the last 24 h
            self._air, self._dl = AIR_CAP, DL_CAP
        if clock.epoch_ms(now) is None:
            self.want |= WANT_TIME  # no Wi-Fi: the network tells the time

    def defaults(self):
        # The channel plan and receive settings of RP 2.4 (after a join, before any MAC command)
        self.rx1_delay = eu.RECEIVE_DELAY1_S
        self.rx1_offset = 0
        self.rx2_dr = eu.RX2_DR
        self.rx2_freq = eu.RX2_FREQ
        self.dr = self.start_dr
        self.power = 0
        self.nbtrans = 1
        self.max_dc = 0
        self.chans = bytearray(8 * eu.CHANNELS)  # per channel: uplink Hz, downlink Hz (0: = uplink)
        self.drs = bytearray(eu.CHANNELS)  # per channel: max DR << 4 | min DR
        for i in range(3):
            self.set_channel(i, eu.DEFAULT_CHANNELS[i], 0x50)
        self.mask = 7

    # -- channels --------------------------------------------------------------------------------

    def up_freq(self, ch):
        return struct.unpack_from("<I", self.chans, 8 * ch)[0]

    def dl_freq(self, ch):
        return struct.unpack_from("<I", self.chans, 8 * ch + 4)[0] or self.up_freq(ch)

    def set_channel(self, ch, freq, drs, dl=0):
        struct.pack_into("<II", self.chans, 8 * ch, freq, dl)
        self.drs[ch] = drs

    def usable(self, ch, dr, mask=None):
        d = self.drs[ch]
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
            w = clock.diff(self._bands[eu.band(self.up_freq(ch))], now)
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
        if clock.diff(self._agg, now) <= 0:
            self._agg = now
        return now

    def _duty_wait(self, dr, last):
        now = self._accrue()
        w = self._pick(dr, last)[1]
        return max(w, clock.diff(self._agg, now))

    def join_wait_ms(self):
        # ms until the next join-request may go: duty cycle, the random gap after a failed
        # attempt, and the join back-off of TS001 7 / TR007 4.8 (aggregated join airtime since
        # power-up: 36 s in the first hour, 36 s in the next 10 hours, then 8.7 s a day)
        dr = JOIN_DRS[self._tries % len(JOIN_DRS)]
        w = max(self._duty_wait(dr, 3), clock.diff(self._join_at, clock.ticks()))
        budget, end = self._join_period()
        toa = self._toa(dr, 23)
        if self._join_used + toa > budget:
            w = max(w, end - self._since_t0())
            self.why = "join_backoff"
        else:
            self.why = "duty_cycle"
        return max(w, 0)

    def _since_t0(self):
        return self._t0 + clock.uptime_ms()

    def _join_period(self):
        # -> (us of join airtime allowed, ms since T0 when the period ends); starts the new one
        t = self._since_t0()
        if t < HOUR_MS:
            p, budget, end = 0, 36000000, HOUR_MS
        elif t < 11 * HOUR_MS:
            p, budget, end = 1, 36000000, 11 * HOUR_MS
        else:
            n = (t - 11 * HOUR_MS) // DAY_MS
            p, budget, end = 2 + n, 8700000, 11 * HOUR_MS + (n + 1) * DAY_MS
        if p != self._period:
            self._period = p
            self._join_used = 0
        return budget, end

    def wait_ms(self, length, confirmed):
        # ms until an uplink with length bytes of payload may go (0: now); why says what it waits for
        w = self._duty_wait(self.dr, eu.CHANNELS)
        self.why = "duty_cycle"
        if self.fair_use:
            need = self._toa(self.dr, 13 + len(self._sticky) + len(self._ans) + length) * 16 // 5 - self._air
            if need > w:
                w, self.why = need, "fair_use"
            if confirmed and DL_COST - self._dl > w:
                w, self.why = DL_COST - self._dl, "downlinks"
        return max(w, 0)

    def _toa(self, dr, length):
        return time_on_air_us(length, eu.sf(dr), eu.bw(dr))

    def _can_ask(self):
        return not self.fair_use or self._dl >= DL_COST

    # -- the radio -------------------------------------------------------------------------------

    async def _tx(self, ch, dr, n):
        r = self.radio
        freq = self.up_freq(ch)
        lo, hi = r.POWER_DBM
        r.configure(freq, eu.sf(dr), eu.bw(dr), power_dbm=max(lo, min(hi, eu.tx_dbm(self.power))))
        toa = r.time_on_air_us(n)
        tick = await r.send(memoryview(self._buf)[:n])
        r.sleep()
        self._last_tx = tick
        b = eu.band(freq)
        self._bands[b] = clock.add(tick, toa * (eu.BANDS[b][2] - 1) // 1000)
        if self.max_dc:
            self._agg = clock.add(tick, toa * ((1 << self.max_dc) - 1) // 1000)
        if self.fair_use:
            self._air -= toa * 16 // 5
        return tick, toa

    async def _rx(self, at, freq, dr):
        r = self.radio
        r.configure(freq, eu.sf(dr), eu.bw(dr), crc=False, iq_inverted=True)
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
            d1, dr1 = eu.JOIN_ACCEPT_DELAY1_MS, dr
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
                return lf.parse_join_accept(p, len(p), self.app_key, nonce)
            d = lf.parse_data(p, len(p), self.dev_addr, self.fcnt_down, self.nwk, self.app)
        except lf.FrameError as e:
            log.warn("lora: downlink dropped (%s)" % e)
            return None
        self._downlink(d, frame.snr)
        return d

    # -- join ------------------------------------------------------------------------------------

    async def join(self):
        # One join attempt (after join_wait_ms() said 0) -> True once joined
        dr = JOIN_DRS[self._tries % len(JOIN_DRS)]
        ch = self._pick(dr, 3)[0]
        nonce = state.take_dev_nonce()
        if nonce is None or ch < 0:
            self._join_at = clock.add(clock.ticks(), HOUR_MS)
            return False
        lf.build_join_request(self._buf, self.join_eui, self.dev_eui, nonce, self.app_key)
        log.info("lora join dev_nonce=%d dr=%d" % (nonce, dr))
        tick, toa = await self._tx(ch, dr, 23)
        self._join_period()
        self._join_used += toa
        ja = await self._windows(tick, ch, dr, nonce)
        if ja is None:
            self._tries += 1
            self._join_at = clock.add(clock.ticks(), 1000 + _rand(3000))  # TR007 4.8: a random gap
            log.warn("lora join: no join-accept (attempt %d)" % self._tries)
            return False
        self.defaults()
        self.dev_addr, self.nwk, self.app = ja.dev_addr, ja.nwkskey, ja.appskey
        self.rx1_offset, self.rx2_dr, self.rx1_delay = ja.rx1_dr_offset, ja.rx2_dr, ja.rx_delay
        if ja.cflist:
            for i in range(5):
                f = ja.cflist[i]
                if f and eu.band(f) >= 0:
                    self.set_channel(3 + i, f, 0x50)
                    self.mask |= 1 << (3 + i)
        self.fcnt_up = self.fcnt_down = self.adr_cnt = self._tries = 0
        self.joined = True
        self._ans = bytearray()
        self._sticky = bytearray()
        self.want |= WANT_LINK_CHECK
        if self.fair_use:
            self._dl -= DL_COST  # the join-accept was a downlink
        state.save_session(self)
        log.info("lora joined dev_addr=%08x rx1=%ds rx2_dr=%d" % (self.dev_addr, self.rx1_delay, self.rx2_dr))
        return True

    # -- uplinks ---------------------------------------------------------------------------------

    def _counter(self):
        # The frame counter for the next uplink, reserved on flash before it is used: after a power
        # loss the node continues from the reserved limit, so no counter is sent twice.
        if self.fcnt_up >= self.fcnt_limit:
            limit = self.fcnt_up + FCNT_BLOCK
            try:
                state.save_limit(limit)
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

    def _adr_step(self):
        # spec 4.3.1.1: ADR_ACK_LIMIT uplinks without a downlink -> ask for one (ADRACKReq);
        # ADR_ACK_DELAY more -> default TX power; then one data rate lower every ADR_ACK_DELAY,
        # and at the lowest one NbTrans 1 and the default channels again
        c = self.adr_cnt - ADR_ACK_LIMIT
        if c < ADR_ACK_DELAY or c % ADR_ACK_DELAY:
            return
        if c == ADR_ACK_DELAY:
            self.power = 0
        elif self.dr > 0:
            self.dr -= 1
        if c > ADR_ACK_DELAY and self.dr == 0:
            self.nbtrans = 1
            self.mask |= 7
        log.info("lora adr backoff dr=%d power=%d" % (self.dr, self.power))

    async def send(self, port, payload, confirmed):
        # One uplink (after wait_ms() said 0) -> SENT, ACKED, NO_ACK, TOO_LONG or NO_COUNTER
        fcnt = self._counter()
        if fcnt is None:
            return NO_COUNTER
        fctrl = 0
        asks = confirmed
        if self.adr:
            fctrl = lf.ADR
            self._adr_step()
            if self.adr_cnt >= ADR_ACK_LIMIT and (asks or self._can_ask()):
                fctrl |= lf.ADR_ACK_REQ
                asks = True
        fopts, asks = self._fopts(asks)
        if self._ack:
            fctrl |= lf.ACK
        dr = self.dr
        mhdr = lf.CONFIRMED_UP if confirmed else lf.UNCONFIRMED_UP
        n = lf.build_data(self._buf, mhdr, self.dev_addr, fcnt, port, payload, self.nwk, self.app, fctrl, fopts)
        if n - 5 > eu.MAX_MAC_PAYLOAD[dr]:
            return TOO_LONG
        self._ack = False
        self.fcnt_up = fcnt + 1
        self.adr_cnt += 1
        result = NO_ACK if confirmed else SENT
        ch = -1
        for i in range(self.nbtrans):
            if i:  # a repetition: frequency hopping as usual, after the duty cycle allows it
                await clock.sleep_ms(self._duty_wait(dr, eu.CHANNELS))
            ch = self._pick(dr, eu.CHANNELS, ch)[0]
            if ch < 0:
                break
            tick, toa = await self._tx(ch, dr, n)
            self._asked = asks
            if asks and self.fair_use:
                self._dl -= DL_COST
            d = await self._windows(tick, ch, dr)
            if d is not None:  # any downlink ends the repetitions (spec 4.3.1.2)
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
        if self.fair_use and not self._asked:
            self._dl -= DL_COST  # a downlink the uplink did not ask for (its cost is not counted yet)
        self._asked = False
        cmds = d.payload if d.fport == 0 else d.fopts
        log.info("lora down fcnt=%d port=%s ack=%d cmds=%d" % (d.fcnt, d.fport, d.ack, len(cmds)))
        if cmds:
            self._commands(cmds, snr)
        state.save_session(self)

    def _commands(self, cmds, snr):
        # The MAC command handler is loaded for this downlink only, then its RAM given back.
        import sys

        from node.net import lorawan_mac

        try:
            lorawan_mac.process(self, cmds, snr)
        finally:
            del sys.modules["node.net.lorawan_mac"]
            import node.net

            del node.net.lorawan_mac

    def answer(self, cid, body=b"", sticky=False):
        # Queue a MAC answer for the next uplink; a sticky one replaces its predecessor.
        a = bytes((cid,)) + body
        if sticky:
            i = self._sticky.find(bytes((cid,)))
            if i >= 0:
                self._sticky[i:i + len(a)] = b""
            self._sticky += a
        else:
            self._ans += a

    def time_answered(self):
        self._time_left = DAY_MS  # the clock drifts a few seconds a day: again tomorrow

    # -- deep sleep ------------------------------------------------------------------------------

    def rtc(self, ahead_ms):
        # Everything for RTC memory, with time-based state as it will be ahead_ms from now
        # (the next boot, after a deep sleep of that length)
        return state.rtc_bytes(self, self._accrue(), ahead_ms)
