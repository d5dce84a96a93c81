# The OTAA join of the LoRaWAN MAC (net/lorawan.py), loaded until the node has joined: the join
# back-off and one join attempt with a DevNonce counted up on flash (TS001-1.0.4 6.2.5, 7).
from node import clock, log, persist
from node.net import lorawan as eu
from node.net import lorawan_otaa as otaa
from node.net.lorawan import (DAY_MS, DL_COST, HOUR_MS, JOIN_DRS, NONCE_FILE, WANT_LINK_CHECK, _rand, defaults,
                              save_ints, save_session)


def take_dev_nonce():
    # The next DevNonce, counted up on flash before it is used (TS001 6.2.5: never twice in a
    # device's life) -> it, or None if the flash refuses or all 65536 are used.
    n = (persist.load_ints(NONCE_FILE, 1) or [0])[0]
    if n > 0xFFFF:
        log.error("lora: all DevNonces are used; the device needs a new JoinEUI")
        return None
    try:
        save_ints(NONCE_FILE, (n + 1,))
    except OSError as e:
        log.error("lora: DevNonce not saved (%s): no join-request" % e)
        return None
    return n


def _since_t0(mac):
    return mac._t0 + clock.uptime_ms()


def _period(mac):
    # The join back-off (TS001 7, TR007 4.8): join-request airtime aggregated since power-up, 36 s
    # in the first hour, 36 s in the next 10 hours, then 8.7 s a day -> (us allowed in the current
    # period, ms since T0 when it ends); a new period starts with nothing used
    t = _since_t0(mac)
    if t < HOUR_MS:
        p, budget, end = 0, 36000000, HOUR_MS
    elif t < 11 * HOUR_MS:
        p, budget, end = 1, 36000000, 11 * HOUR_MS
    else:
        n = (t - 11 * HOUR_MS) // DAY_MS
        p, budget, end = 2 + n, 8700000, 11 * HOUR_MS + (n + 1) * DAY_MS
    if p != mac._period:
        mac._period = p
        mac._join_used = 0
    return budget, end


def wait_ms(mac):
    # ms until the next join-request may go: the duty cycle, the random gap after a failed
    # attempt, the join back-off
    dr = JOIN_DRS[mac._tries % len(JOIN_DRS)]
    w = max(mac._duty_wait(dr, 3), clock.diff(mac._join_at, clock.ticks()))
    budget, end = _period(mac)
    mac.why = "duty_cycle"
    if mac._join_used + mac._toa(dr, 23) > budget:
        w = max(w, end - _since_t0(mac))
        mac.why = "join_backoff"
    return max(w, 0)


async def join(mac):
    # One join attempt on a default channel, the data rate stepping down after failures -> joined
    dr = JOIN_DRS[mac._tries % len(JOIN_DRS)]
    ch = mac._pick(dr, 3)[0]
    nonce = take_dev_nonce()
    if nonce is None or ch < 0:
        mac._join_at = clock.add(clock.ticks(), HOUR_MS)
        return False
    join_eui, dev_eui, app_key = otaa.keys(mac.lora)
    otaa.build_join_request(eu.FRAME, join_eui, dev_eui, nonce, app_key)
    log.info("lora join dev_nonce=%d dr=%d" % (nonce, dr))
    tick, toa = await mac._tx(ch, dr, 23)
    _period(mac)
    mac._join_used += toa
    ja = await mac._windows(tick, ch, dr, nonce)
    if ja is None:
        mac._tries += 1
        # TR007 4.8: a random gap after RX2, here growing with the failures (1-3 s, 2-6 s, ... up to
        # 4-13 min): a node that nobody answers need not fill its back-off budget right away
        mac._join_at = clock.add(clock.ticks(), (1000 + _rand(2000)) << min(mac._tries - 1, 8))
        log.warn("lora join: no join-accept (attempt %d)" % mac._tries)
        return False
    _accept(mac, ja)
    return True


def _accept(mac, ja):
    # The session of a join-accept, with the RP defaults and the CFList's channels
    defaults(mac)
    mac.dev_addr, mac.nwk, mac.app = ja.dev_addr, ja.nwkskey, ja.appskey
    mac.rx1_offset, mac.rx2_dr, mac.rx1_delay = ja.rx1_dr_offset, ja.rx2_dr, ja.rx_delay
    if ja.cflist:
        for i in range(5):
            f = ja.cflist[i]
            if f and eu.band(f) >= 0:
                mac.set_channel(3 + i, f, 0x50)
                mac.mask |= 1 << (3 + i)
    mac.fcnt_up = mac.fcnt_down = mac.adr_cnt = mac._tries = 0
    mac.joined = True
    mac._ans = bytearray()
    mac._sticky = bytearray()
    mac.want |= WANT_LINK_CHECK
    if mac.lora["fair_use"]:
        mac._dl -= DL_COST  # the join-accept was a downlink
    save_session(mac)
    log.info("lora joined dev_addr=%08x rx1=%ds rx2_dr=%d" % (mac.dev_addr, mac.rx1_delay, mac.rx2_dr))
