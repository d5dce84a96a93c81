# The join's frames (TS001-1.0.4 6.2.5, 6.2.6; "spec" as in net/lorawan_frames.py): join-request,
# join-accept and the 1.0.x session keys. Apart from the data frames because a node needs them only
# until it has joined: the MAC (net/lorawan_join.py) loads this for a join and gives its RAM back.
import struct

import cryptolib
from micropython import const

from node.net.lorawan_frames import JOIN_ACCEPT, JOIN_REQUEST, FrameError, _cmac, aes128

_ECB = const(1)


def keys(lora):
    # The config's "lora" keys as the join needs them -> (JoinEUI, DevEUI, AppKey), read for the
    # occasion rather than kept on the MAC (each attribute more there costs RAM at every boot)
    return (bytes.fromhex(lora["join_eui"] or "00" * 8), bytes.fromhex(lora["dev_eui"]),
            bytes.fromhex(lora["app_key"] or "00" * 16))


def build_join_request(out, join_eui, dev_eui, dev_nonce, app_key):
    # Join-request into out -> 23 (spec 6.2.5): MHDR | JoinEUI | DevEUI | DevNonce | MIC, the MIC
    # CMAC(AppKey, MHDR | JoinEUI | DevEUI | DevNonce)[0:4]. DevNonce counts up from 0 over the
    # device's life (1.0.4); the network refuses one it has seen.
    out[0] = JOIN_REQUEST
    for i in range(8):
        out[1 + i] = join_eui[7 - i]
        out[9 + i] = dev_eui[7 - i]
    out[17] = dev_nonce & 0xFF
    out[18] = (dev_nonce >> 8) & 0xFF
    x = _cmac(app_key, memoryview(out)[:19])
    for i in range(4):
        out[19 + i] = x[i]
    return 23


class JoinAccept:
    # A checked join-accept: the session it starts (spec 6.2.6, RP002 EU868 CFList)
    def __init__(self, join_nonce, net_id, dev_addr, dl_settings, rx_delay, cflist, keys):
        self.join_nonce = join_nonce
        self.net_id = net_id
        self.dev_addr = dev_addr
        self.rx1_dr_offset = (dl_settings >> 4) & 0x07  # bit 7 is RFU in 1.0.x
        self.rx2_dr = dl_settings & 0x0F
        self.rx_delay = rx_delay & 0x0F or 1  # seconds from the end of the uplink to RX1; 0 means 1
        self.cflist = cflist  # 5 frequencies in Hz (0: no channel) or None
        self.nwkskey, self.appskey = keys


def _u24(b, i):
    return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)


def parse_join_accept(frame, n, app_key, dev_nonce):
    # A received join-accept frame[:n] (a bytearray, decrypted in place) -> JoinAccept.
    # Wire: MHDR | encrypted(JoinNonce 3 | NetID 3 | DevAddr 4 | DLSettings | RxDelay | CFList 16? |
    # MIC). The network encrypts with AES *decrypt*, so the device decrypts with AES encrypt (spec
    # 6.2.6); the MIC is CMAC(AppKey, MHDR | JoinNonce .. CFList)[0:4]. dev_nonce: the one sent.
    if n not in (17, 33) or frame[0] != JOIN_ACCEPT:
        raise FrameError("no join-accept")
    mv = memoryview(frame)
    cryptolib.aes(app_key, _ECB).encrypt(mv[1:n], mv[1:n])
    x = _cmac(app_key, mv[:n - 4])
    for i in range(4):
        if x[i] != frame[n - 4 + i]:
            raise FrameError("MIC")
    cflist = None
    if n == 33 and frame[28] == 0:  # CFListType 0: five channels, 3 bytes each in 100 Hz units
        cflist = tuple(_u24(frame, 13 + 3 * i) * 100 for i in range(5))
    join_nonce, net_id = _u24(frame, 1), _u24(frame, 4)
    return JoinAccept(join_nonce, net_id, struct.unpack_from("<I", frame, 7)[0], frame[11], frame[12], cflist,
                      session_keys(app_key, join_nonce, net_id, dev_nonce))


def session_keys(app_key, join_nonce, net_id, dev_nonce):
    # 1.0.x (spec 6.2.6): NwkSKey = aes128_encrypt(AppKey, 0x01 | JoinNonce | NetID | DevNonce |
    # pad16), AppSKey the same with 0x02; fields little-endian as on the wire -> (NwkSKey, AppSKey)
    b = bytearray(16)
    for i in range(3):
        b[1 + i] = (join_nonce >> (8 * i)) & 0xFF
        b[4 + i] = (net_id >> (8 * i)) & 0xFF
    b[7] = dev_nonce & 0xFF
    b[8] = (dev_nonce >> 8) & 0xFF
    b[0] = 0x01
    nwk = aes128(app_key, b)
    b[0] = 0x02
    return nwk, aes128(app_key, b)
