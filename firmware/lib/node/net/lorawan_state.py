# What the LoRaWAN MAC (net/lorawan.py) keeps beyond its own life (docs/lorawan.md), read back at
# start-up (the writing is in net/lorawan.py and net/lorawan_join.py, which need it more often):
# - on flash, for a power loss (write a new file, then rename it over the old one: atomic on
#   LittleFS and POSIX, so a cut leaves the old or the new value):
#     lorawan/session   the session and what the network set (below): at a join, after a downlink
#     lorawan/fcnt      the first uplink frame counter not yet reserved; the MAC reserves
#                       FCNT_BLOCK at a time and continues from here after a power loss
#     lorawan/devnonce  the next DevNonce, written before the join-request that uses one goes out
# - in RTC memory (node.rtcmem, section LORAWAN), for a deep sleep: the same session, the exact
#   counters, and what depends on time (duty cycle, fair-use credit, join back-off) as it will be
#   at the next boot.
import struct

from node import clock, persist, rtcmem
from node.net.lorawan import (AIR_CAP, ALL_BANDS, DL_CAP, FCNT_FILE, NONCE_FILE, PLAN_BYTES, SESSION, SESSION_FILE,
                              SESSION_VERSION, WANT_TIME, defaults, identity, session_bytes)

_SESSION_LEN = struct.calcsize(SESSION) + PLAN_BYTES
# FCntUp, its reserved limit, ms since T0, join airtime (us), back-off period, join attempts,
# fair-use credit (airtime, downlinks), ms to the next DeviceTimeReq, wanted requests, flags
# (joined, ack owed), ADR_ACK_CNT, then ms until each of these may send again: every channel
# (DutyCycleReq), the next join attempt, the six sub-bands
_RTC = "<IIqIBBiiiBBHII6I"


def init(mac, radio, lora, board):
    # The MAC's state: fresh, then what RTC memory (a deep sleep) or the flash (a power loss) kept.
    mac.radio = radio
    mac.board = board
    mac.lora = lora  # keys, ADR, fair use, first DR: read from here (more attributes outgrow the table)
    mac.joined = False
    mac.dev_addr = 0
    mac.nwk = mac.app = b""
    mac.fcnt_up = 0  # the next uplink counter
    mac.fcnt_limit = 0  # counters below this are reserved on flash
    mac.fcnt_down = 0  # the lowest downlink counter still accepted
    defaults(mac)
    mac._t0 = 0  # ms from power-up (T0 of the join back-off) to this boot
    mac._join_used = 0  # us of join-request airtime in the current back-off period
    mac._period = 0  # which back-off period that is
    mac._tries = 0  # join attempts without a join-accept
    now = clock.ticks()
    mac._join_at = now  # no join-request before this tick
    mac._bands = [now] * (ALL_BANDS + 1)  # tick from which each sub-band, then all (DutyCycleReq), may send again
    mac._air = mac._dl = 0  # fair-use credit (net/lorawan.py)
    mac._credit_at = now
    mac._time_left = 0  # ms until the next DeviceTimeReq is due
    mac.adr_cnt = 0  # ADR_ACK_CNT
    mac._ans = bytearray()  # MAC answers for the next uplink
    mac._sticky = bytearray()  # answers repeated in every uplink until a downlink arrives
    mac._ack = False  # the next uplink acknowledges a confirmed downlink
    mac.want = 0  # requests for the next uplink (WANT_LINK_CHECK, WANT_TIME)
    mac.why = None  # what the last wait_ms() waits for: "duty_cycle", "fair_use", "downlinks", "join_backoff"
    mac._last_tx = now  # tick at the end of the last transmission (DeviceTimeAns counts from it)
    if restore(mac, board):  # never sent anything: nothing on the air in the last 24 h
        mac._air, mac._dl = AIR_CAP, DL_CAP
    if clock.epoch_ms(now) is None:
        mac.want |= WANT_TIME  # no Wi-Fi: the network tells the time


def _load_session(mac, data, off):
    if len(data) < off + _SESSION_LEN:
        return False
    f = struct.unpack_from(SESSION, data, off)
    if f[0] != SESSION_VERSION or f[1] != identity(mac.lora):
        return False
    (mac.dev_addr, mac.fcnt_down, mac.nwk, mac.app, mac.rx1_delay, mac.rx1_offset, mac.rx2_dr, mac.rx2_freq, mac.dr,
     mac.power, mac.nbtrans, mac.max_dc, mac.mask) = f[2:]
    o = off + struct.calcsize(SESSION)
    mac.chans = bytearray(data[o:o + PLAN_BYTES])
    return True


def restore(mac, board):
    # -> True for a node that never sent anything (nothing of it on the air in the last 24 h)
    raw = rtcmem.get(board, rtcmem.LORAWAN)
    if raw and board.reset_cause() != "power" and _from_rtc(mac, raw):
        return False
    fresh = True
    try:
        with open(SESSION_FILE, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    if _load_session(mac, data, 0):
        mac.joined = True
        fresh = False
    elif mac.lora["dev_addr"] is not None:  # ABP
        lora = mac.lora
        mac.dev_addr = int(lora["dev_addr"], 16)
        mac.nwk = bytes.fromhex(lora["nwk_s_key"])
        mac.app = bytes.fromhex(lora["app_s_key"])
        mac.rx1_delay = lora["rx1_delay_s"]
        mac.rx2_dr = lora["rx2_dr"]
        mac.joined = True
    limit = persist.load_ints(FCNT_FILE, 1)
    if limit:
        mac.fcnt_up = mac.fcnt_limit = limit[0]  # the rest of the last block may have been used
        fresh = False
    if persist.load_ints(NONCE_FILE, 1):
        fresh = False
    return fresh


def rtc_bytes(mac, now, ahead):
    def left(tick):
        return max(0, clock.diff(tick, now) - ahead)

    head = struct.pack(_RTC, mac.fcnt_up, mac.fcnt_limit, mac._t0 + clock.uptime_ms() + ahead, mac._join_used,
                       mac._period, mac._tries, mac._air + ahead, mac._dl + ahead, mac._time_left - ahead, mac.want,
                       (1 if mac.joined else 0) | (2 if mac._ack else 0), mac.adr_cnt, left(mac._bands[ALL_BANDS]),
                       left(mac._join_at), *[left(mac._bands[i]) for i in range(ALL_BANDS)])
    return (head + session_bytes(mac) + bytes((len(mac._sticky),)) + mac._sticky + bytes((len(mac._ans),))
            + mac._ans)


def _from_rtc(mac, raw):
    n = struct.calcsize(_RTC)
    if len(raw) < n + _SESSION_LEN + 2 or not _load_session(mac, raw, n):
        return False
    f = struct.unpack_from(_RTC, raw)
    (mac.fcnt_up, mac.fcnt_limit, mac._t0, mac._join_used, mac._period, mac._tries, mac._air, mac._dl,
     mac._time_left, mac.want, flags, mac.adr_cnt) = f[:12]
    mac.joined = bool(flags & 1)
    mac._ack = bool(flags & 2)
    now = clock.ticks()
    mac._credit_at = now
    mac._join_at = clock.add(now, f[13])
    mac._bands = [clock.add(now, x) for x in f[14:] + f[12:13]]
    o = n + _SESSION_LEN
    k = raw[o]
    mac._sticky = bytearray(raw[o + 1:o + 1 + k])
    o += 1 + k
    mac._ans = bytearray(raw[o + 1:o + 1 + raw[o]]) if o < len(raw) else bytearray()
    return True
