# What the LoRaWAN MAC (net/lorawan.py) keeps beyond its own life (docs/lorawan.md):
# - on flash, for a power loss (write a new file, then rename it over the old one: atomic on
#   LittleFS and POSIX, so a cut leaves the old or the new value):
#     lorawan/session   the session and what the network set (below): at a join, after a downlink
#     lorawan/fcnt      the first uplink frame counter not yet reserved; the MAC reserves
#                       FCNT_BLOCK at a time and continues from here after a power loss
#     lorawan/devnonce  the next DevNonce, written before the join-request that uses one goes out
# - in RTC memory (node.rtcmem, section LORAWAN), for a deep sleep: the same session, the exact
#   counters, and what depends on time (duty cycle, fair-use credit, join back-off) as it will be
#   at the next boot.
import binascii
import os
import struct

from node import clock, log, persist, rtcmem

_SESSION_FILE = "lorawan/session"
_FCNT_FILE = "lorawan/fcnt"
_NONCE_FILE = "lorawan/devnonce"
_VERSION = 1
# version, identity, DevAddr, FCntDown, NwkSKey, AppSKey, RX1 delay, RX1DROffset, RX2 DR, RX2 Hz,
# DR, TXPower, NbTrans, MaxDutyCycle, channel mask; then the channels (8 bytes each) and their DR ranges
_SESSION = "<BIII16s16sBBBIBBBBH"
_SESSION_LEN = struct.calcsize(_SESSION) + 8 * 16 + 16
# FCntUp, its reserved limit, ms since T0, join airtime (us), back-off period, join attempts,
# fair-use credit (airtime, downlinks), ms to the next DeviceTimeReq, wanted requests, flags
# (joined, ack owed), ADR_ACK_CNT, then ms until each of these may send again: every channel
# (DutyCycleReq), the next join attempt, the six sub-bands
_RTC = "<IIqIBBiiiBBHII6I"


def identity(lora):
    # A digest of the device's keys: a session kept for other keys (re-provisioned) is not used.
    keys = [lora[k] or "" for k in ("dev_eui", "join_eui", "app_key", "dev_addr", "nwk_s_key", "app_s_key")]
    return binascii.crc32(" ".join(keys).encode())


def session_bytes(mac):
    return struct.pack(_SESSION, _VERSION, mac.ident, mac.dev_addr, mac.fcnt_down, mac.nwk, mac.app, mac.rx1_delay,
                       mac.rx1_offset, mac.rx2_dr, mac.rx2_freq, mac.dr, mac.power, mac.nbtrans, mac.max_dc,
                       mac.mask) + mac.chans + mac.drs


def _load_session(mac, data, off):
    if len(data) < off + _SESSION_LEN:
        return False
    f = struct.unpack_from(_SESSION, data, off)
    if f[0] != _VERSION or f[1] != mac.ident:
        return False
    (mac.dev_addr, mac.fcnt_down, mac.nwk, mac.app, mac.rx1_delay, mac.rx1_offset, mac.rx2_dr, mac.rx2_freq, mac.dr,
     mac.power, mac.nbtrans, mac.max_dc, mac.mask) = f[2:]
    o = off + struct.calcsize(_SESSION)
    mac.chans = bytearray(data[o:o + 128])
    mac.drs = bytearray(data[o + 128:o + 144])
    return True


def _mkdir():
    try:
        os.mkdir("lorawan")
    except OSError:
        pass  # exists


def _write(path, data):
    _mkdir()
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


def save_session(mac):
    try:
        _write(_SESSION_FILE, session_bytes(mac))
    except OSError as e:  # the session in RAM is right; after a power loss the node joins again
        log.warn("lora: session not saved (%s)" % e)


def save_limit(limit):
    # raises OSError: the caller must not use a counter that is not reserved
    _mkdir()
    persist.save_ints(_FCNT_FILE, (limit,))


def take_dev_nonce():
    # The next DevNonce, counted up on flash before it is used (TS001 6.2.5: never twice in a
    # device's life) -> it, or None if the flash refuses or all 65536 are used.
    n = (persist.load_ints(_NONCE_FILE, 1) or [0])[0]
    if n > 0xFFFF:
        log.error("lora: all DevNonces are used; the device needs a new JoinEUI")
        return None
    try:
        _mkdir()
        persist.save_ints(_NONCE_FILE, (n + 1,))
    except OSError as e:
        log.error("lora: DevNonce not saved (%s): no join-request" % e)
        return None
    return n


def restore(mac, board):
    # -> True for a node that never sent anything (nothing of it on the air in the last 24 h)
    raw = rtcmem.get(board, rtcmem.LORAWAN)
    if raw and board.reset_cause() != "power" and _from_rtc(mac, raw):
        return False
    fresh = True
    try:
        with open(_SESSION_FILE, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    if _load_session(mac, data, 0):
        mac.joined = True
        fresh = False
    elif mac.abp:
        lora = mac.lora
        mac.dev_addr = int(lora["dev_addr"], 16)
        mac.nwk = bytes.fromhex(lora["nwk_s_key"])
        mac.app = bytes.fromhex(lora["app_s_key"])
        mac.rx1_delay = lora["rx1_delay_s"]
        mac.rx2_dr = lora["rx2_dr"]
        mac.joined = True
    limit = persist.load_ints(_FCNT_FILE, 1)
    if limit:
        mac.fcnt_up = mac.fcnt_limit = limit[0]  # the rest of the last block may have been used
        fresh = False
    if persist.load_ints(_NONCE_FILE, 1):
        fresh = False
    return fresh


def rtc_bytes(mac, now, ahead):
    def left(tick):
        return max(0, clock.diff(tick, now) - ahead)

    head = struct.pack(_RTC, mac.fcnt_up, mac.fcnt_limit, mac._t0 + clock.uptime_ms() + ahead, mac._join_used,
                       mac._period, mac._tries, mac._air + ahead, mac._dl + ahead, mac._time_left - ahead, mac.want,
                       (1 if mac.joined else 0) | (2 if mac._ack else 0), mac.adr_cnt, left(mac._agg),
                       left(mac._join_at), *[left(b) for b in mac._bands])
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
    mac._agg = clock.add(now, f[12])
    mac._join_at = clock.add(now, f[13])
    mac._bands = [clock.add(now, x) for x in f[14:]]
    o = n + _SESSION_LEN
    k = raw[o]
    mac._sticky = bytearray(raw[o + 1:o + 1 + k])
    o += 1 + k
    mac._ans = bytearray(raw[o + 1:o + 1 + raw[o]]) if o < len(raw) else bytearray()
    return True
