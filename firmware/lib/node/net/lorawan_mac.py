# The MAC commands a Class A device receives (TS001-1.0.4 section 5, EU868 values of RP002-1.0.3
# 2.4), applied to the MAC (net/lorawan.py) and answered in its next uplink. Loaded only while a
# downlink carries commands; node.net.lorawan gives its RAM back afterwards.
import struct

from node import clock, log
from node.net import lorawan as eu
from node.net.lorawan import _UP_LENGTH, DAY_MS

# payload length by CID of what the network sends
_LEN = {0x02: 2, 0x03: 4, 0x04: 1, 0x05: 4, 0x06: 0, 0x07: 5, 0x08: 1, 0x09: 1, 0x0A: 4, 0x0D: 5}
_GPS_UNIX_S = 315964800 - 18  # the GPS epoch (1980-01-06) in Unix seconds, less the 18 leap seconds since
BATTERY_EMPTY_MV = 3300  # a Li-ion cell: DevStatusAns 1 ...
BATTERY_FULL_MV = 4200  # ... to 254


def _answer(mac, cid, body=b"", sticky=False):
    # Queue a MAC answer for the next uplink; a sticky one replaces its predecessor.
    a = bytes((cid,)) + body
    if not sticky:
        mac._ans += a
        return
    old = mac._sticky
    i = 0
    while i < len(old) and old[i] != cid:
        i += _UP_LENGTH[old[i]]
    mac._sticky = old[:i] + old[i + len(a):] + a


def _u24(b, i):
    return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)


def battery_level(mv):
    # DevStatusAns battery (spec 5.5): 1..254 from empty to full, 255 unknown (0 = external power,
    # which a board cannot tell from a full battery)
    if mv is None:
        return 255
    return max(1, min(254, 1 + (mv - BATTERY_EMPTY_MV) * 253 // (BATTERY_FULL_MV - BATTERY_EMPTY_MV)))


def process(mac, c, snr):
    # Apply the commands c (FOpts, or FRMPayload on FPort 0) of a downlink received at snr dB
    i = 0
    n = len(c)
    while i < n:
        cid = c[i]
        size = _LEN.get(cid)
        if size is None or i + 1 + size > n:
            log.warn("lora mac: command 0x%02x unknown or cut off; the rest is ignored" % cid)
            return
        if cid == 0x03:  # LinkADRReq: a contiguous block is one atomic command (spec 5.3)
            j = i
            while j + 5 <= n and c[j] == 0x03:
                j += 5
            _link_adr(mac, c, i, j)
            i = j
            continue
        handler = _HANDLERS.get(cid)  # 0x09 TxParamSetupReq is not used in EU868 (RP 2.4): ignored
        if handler:
            handler(mac, c, i + 1, snr)
        i += 1 + size


def _link_check_ans(mac, c, p, snr):
    log.info("lora link margin=%d gateways=%d" % (c[p], c[p + 1]))


def _duty_cycle(mac, c, p, snr):
    mac.max_dc = c[p] & 15
    _answer(mac, 0x04)
    log.info("lora mac duty cycle 1/%d" % (1 << mac.max_dc))


def _dev_status(mac, c, p, snr):
    margin = max(-32, min(31, snr))
    _answer(mac, 0x06, bytes((battery_level(mac.board.battery_mv()), margin & 0x3F)))


def _rx_timing(mac, c, p, snr):
    mac.rx1_delay = c[p] & 15 or 1
    _answer(mac, 0x08, sticky=True)
    log.info("lora mac rx1 delay %d s" % mac.rx1_delay)


def _device_time(mac, c, p, snr):
    # DeviceTimeAns: GPS time at the end of the uplink that asked
    s = struct.unpack_from("<I", c, p)[0]
    clock.set_epoch_ms((s + _GPS_UNIX_S) * 1000 + c[p + 4] * 1000 // 256, mac._last_tx)
    mac._time_left = DAY_MS  # the clock drifts a few seconds a day: again tomorrow
    log.info("lora mac time set")


def _link_adr(mac, c, i, j):
    mask = mac.mask
    mask_ok = True
    for k in range(i, j, 5):
        ctl = (c[k + 4] >> 4) & 7
        if ctl == 0:  # ChMask for channels 0..15
            mask = c[k + 2] | (c[k + 3] << 8)
        elif ctl == 6:  # every defined channel on (RP 2.4.5)
            mask = 0
            for ch in range(eu.CHANNELS):
                if mac.up_freq(ch):
                    mask |= 1 << ch
        else:
            mask_ok = False
    defined = 0
    for ch in range(eu.CHANNELS):
        if mac.up_freq(ch):
            defined |= 1 << ch
    if mask & ~defined or not mask:  # an undefined channel, or none at all
        mask_ok = False
    k = j - 5  # data rate, power and NbTrans of the last command count
    dr, power, nb = c[k + 1] >> 4, c[k + 1] & 15, c[k + 4] & 15
    use = mask if mask_ok else mac.mask
    want = mac.dr if dr == 15 else dr
    dr_ok = want <= eu.MAX_DR and any(mac.usable(ch, want, use) for ch in range(eu.CHANNELS))
    power_ok = power == 15 or (power <= 7 and eu.tx_dbm(power) >= mac.radio.POWER_DBM[0])
    status = mask_ok | (dr_ok << 1) | (power_ok << 2)
    if status == 7:
        mac.mask = mask
        mac.dr = want
        if power != 15:
            mac.power = power
        mac.nbtrans = nb or 1
    for _ in range(i, j, 5):
        _answer(mac, 0x03, bytes((status,)))
    log.info("lora mac adr dr=%d power=%d nbtrans=%d mask=%04x status=%d" % (mac.dr, mac.power, mac.nbtrans,
                                                                           mac.mask, status))


def _rx_param_setup(mac, c, p, snr):
    offset, dr, freq = (c[p] >> 4) & 7, c[p] & 15, _u24(c, p + 1) * 100
    status = (eu.band(freq) >= 0) | ((dr <= eu.MAX_DR) << 1) | ((offset <= 5) << 2)
    if status == 7:
        mac.rx1_offset, mac.rx2_dr, mac.rx2_freq = offset, dr, freq
    _answer(mac, 0x05, bytes((status,)), sticky=True)
    log.info("lora mac rx2 dr=%d freq=%d rx1 offset=%d status=%d" % (mac.rx2_dr, mac.rx2_freq, mac.rx1_offset, status))


def _new_channel(mac, c, p, snr):
    ch, freq, drs = c[p], _u24(c, p + 1) * 100, c[p + 4]
    freq_ok = 3 <= ch < eu.CHANNELS and (freq == 0 or eu.band(freq) >= 0)  # 0..2: the defaults, fixed
    drs_ok = drs & 15 <= drs >> 4 <= eu.MAX_DR
    if freq_ok and drs_ok:
        mac.set_channel(ch, freq, drs if freq else 0)
        mac.mask = mac.mask | (1 << ch) if freq else mac.mask & ~(1 << ch)
    _answer(mac, 0x07, bytes((freq_ok | (drs_ok << 1),)))
    log.info("lora mac channel %d freq=%d drs=%02x" % (ch, freq, drs))


def _dl_channel(mac, c, p, snr):
    ch, freq = c[p], _u24(c, p + 1) * 100
    status = (eu.band(freq) >= 0) | ((ch < eu.CHANNELS and mac.up_freq(ch) != 0) << 1)
    if status == 3:
        struct.pack_into("<I", mac.chans, 8 * ch + 4, freq)
    _answer(mac, 0x0A, bytes((status,)), sticky=True)
    log.info("lora mac downlink channel %d freq=%d status=%d" % (ch, freq, status))


_HANDLERS = {0x02: _link_check_ans, 0x04: _duty_cycle, 0x05: _rx_param_setup, 0x06: _dev_status,
             0x07: _new_channel, 0x08: _rx_timing, 0x0A: _dl_channel, 0x0D: _device_time}


def adr_backoff(mac, c):
    # spec 4.3.1.1, c = ADR_ACK_CNT - ADR_ACK_LIMIT - ADR_ACK_DELAY, a multiple of ADR_ACK_DELAY:
    # no downlink since ADR_ACK_LIMIT uplinks (which asked for one) and ADR_ACK_DELAY more -> the
    # default TX power; then one data rate lower every ADR_ACK_DELAY, and at the lowest one
    # NbTrans 1 and the default channels again
    if c == 0:
        mac.power = 0
    elif mac.dr > 0:
        mac.dr -= 1
    if c and mac.dr == 0:
        mac.nbtrans = 1
        mac.mask |= 7
    log.info("lora adr backoff dr=%d power=%d" % (mac.dr, mac.power))
