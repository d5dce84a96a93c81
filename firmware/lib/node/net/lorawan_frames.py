# LoRaWAN frames for a Class A end device: LoRaWAN L2 1.0.4 (TS001-1.0.4, "spec" below) with the
# EU868 regional parameters (RP002-1.0.x). AES-CMAC (RFC 4493), data frames (MIC, FRMPayload
# encryption, plain 1.0.x FOpts); the join's frames are in net/lorawan_otaa.py, which a node needs
# only until it has joined. No radio and no state: the MAC (net/lorawan.py) keeps keys, counters
# and timing.
#
# Wire fields are little-endian (spec 4). DevAddr, NetID, JoinNonce and DevNonce are ints; EUIs
# are 8 bytes in the order printed on labels and written in config.json (most significant first).
# A MicroPython AES object either encrypts or decrypts, so every operation makes its own; ECB
# keeps no chaining state, so one object serves all blocks of that operation.
import struct

import cryptolib
from micropython import const

# MHDR = MType << 5 | Major 0 (spec 4.2)
JOIN_REQUEST = const(0x00)
JOIN_ACCEPT = const(0x20)
UNCONFIRMED_UP = const(0x40)
UNCONFIRMED_DOWN = const(0x60)
CONFIRMED_UP = const(0x80)
CONFIRMED_DOWN = const(0xA0)

# FCtrl bits (spec 4.3.1); the low nibble is FOptsLen, filled in by build_data()
ADR = const(0x80)
ADR_ACK_REQ = const(0x40)  # uplink only
ACK = const(0x20)
FPENDING = const(0x10)  # downlink only

_ECB = const(1)
_DOWN = const(0x20)  # the MHDR bit that sets the direction of a data frame
_MAX_FOPTS = const(15)

_blk = bytearray(16)  # an A_i or B0 block (spec 4.3.3, 4.4)
_x = bytearray(16)  # CMAC chaining value, FRMPayload keystream
_k = bytearray(16)  # CMAC subkey


class FrameError(ValueError):
    # A frame that must be dropped: too short, wrong type, another device's, MIC mismatch.
    pass


def _dbl(b):
    # RFC 4493 2.3: b << 1 in GF(2^128), in place
    carry = b[0] >> 7
    for i in range(15):
        b[i] = ((b[i] << 1) | (b[i + 1] >> 7)) & 0xFF
    b[15] = ((b[15] << 1) & 0xFF) ^ (0x87 if carry else 0)


def _cmac(key, msg, b0=None):
    # RFC 4493 2.4 over [b0 +] msg -> _x (shared; copy it before the next call). b0, a full block
    # chained before msg (the B0 block of a data frame), needs a non-empty msg.
    aes = cryptolib.aes(key, _ECB)
    k, x = _k, _x
    for i in range(16):
        k[i] = 0
        x[i] = 0 if b0 is None else b0[i]
    aes.encrypt(k, k)  # L = AES-128(K, 0^128)
    _dbl(k)  # K1
    n = len(msg)
    if n == 0 or n & 15:
        _dbl(k)  # K2: the last block is padded with 10*
    if b0 is not None:
        aes.encrypt(x, x)
    last = (n - 1) & ~15 if n else 0  # offset of the last block
    for off in range(0, last, 16):
        for i in range(16):
            x[i] ^= msg[off + i]
        aes.encrypt(x, x)
    for i in range(16):
        j = last + i
        x[i] ^= k[i] ^ (msg[j] if j < n else 0x80 if j == n else 0)
    aes.encrypt(x, x)
    return x


def cmac(key, msg):
    # AES-CMAC (RFC 4493) -> 16 bytes
    return bytes(_cmac(key, msg))


def aes128(key, block):
    # aes128_encrypt(key, block) of the spec: one 16-byte block -> 16 bytes
    return cryptolib.aes(key, _ECB).encrypt(block)


def _block(b, first, down, devaddr, fcnt, last):
    # A_i and B0 (spec 4.3.3, 4.4): first | 0^4 | Dir | DevAddr | FCnt (32 bits) | 0 | last
    b[0] = first
    b[1] = b[2] = b[3] = b[4] = b[14] = 0
    b[5] = 1 if down else 0
    struct.pack_into("<II", b, 6, devaddr, fcnt & 0xFFFFFFFF)
    b[15] = last


def _crypt(key, down, devaddr, fcnt, buf, start, n):
    # FRMPayload encryption = decryption (spec 4.3.3): buf[start:start + n] ^= AES(key, A_1..)
    aes = cryptolib.aes(key, _ECB)
    s = _x
    for off in range(0, n, 16):
        _block(_blk, 0x01, down, devaddr, fcnt, (off >> 4) + 1)
        aes.encrypt(_blk, s)
        for i in range(min(16, n - off)):
            buf[start + off + i] ^= s[i]


def _mic(buf, n, key, down, devaddr, fcnt):
    # MIC of a data frame buf[:n] (spec 4.4): CMAC(NwkSKey, B0 | msg)[0:4] -> _x[0:4]
    _block(_blk, 0x49, down, devaddr, fcnt, n)
    return _cmac(key, memoryview(buf)[:n], _blk)


def build_data(out, mhdr, devaddr, fcnt, fport, payload, nwkskey, appskey, fctrl=0, fopts=b""):
    # A data frame into out -> its length: MHDR | DevAddr | FCtrl | FCnt (16 low bits) | FOpts |
    # FPort | FRMPayload | MIC (spec 4.3). Uplinks on the device, downlinks for tests and simulators.
    # fcnt: the full 32-bit counter (for MIC and encryption). fctrl: ADR | ADR_ACK_REQ | ACK |
    # FPENDING. fport None: no port, no payload (FOpts only); fport 0: payload = MAC commands,
    # encrypted with NwkSKey, and then no FOpts (spec 4.3.1).
    nopt = len(fopts)
    m = len(payload)
    if mhdr not in (UNCONFIRMED_UP, CONFIRMED_UP, UNCONFIRMED_DOWN, CONFIRMED_DOWN):
        raise ValueError("MHDR 0x%02x is no data frame" % mhdr)
    if nopt > _MAX_FOPTS or (fport == 0 and nopt) or (fport is None and m):
        raise ValueError("FOpts or FPort")
    n = 8 + nopt + (0 if fport is None else 1 + m)
    if n + 4 > len(out):
        raise ValueError("frame of %d bytes, buffer %d" % (n + 4, len(out)))
    down = mhdr & _DOWN
    out[0] = mhdr
    struct.pack_into("<IBH", out, 1, devaddr, (fctrl & 0xF0) | nopt, fcnt & 0xFFFF)
    for i in range(nopt):
        out[8 + i] = fopts[i]
    if fport is not None:
        p = 9 + nopt
        out[p - 1] = fport
        for i in range(m):
            out[p + i] = payload[i]
        _crypt(appskey if fport else nwkskey, down, devaddr, fcnt, out, p, m)
    x = _mic(out, n, nwkskey, down, devaddr, fcnt)
    for i in range(4):
        out[n + i] = x[i]
    return n + 4


class Data:
    # A received data frame: fopts (MAC commands, plain in 1.0.x) and payload (decrypted; the MAC
    # commands when fport is 0) are memoryviews into the frame buffer.
    def __init__(self, mhdr, fctrl, fcnt, fport, fopts, payload):
        self.mhdr = mhdr
        self.confirmed = mhdr in (CONFIRMED_UP, CONFIRMED_DOWN)
        self.fctrl = fctrl
        self.adr = bool(fctrl & ADR)
        self.ack = bool(fctrl & ACK)
        self.fpending = bool(fctrl & FPENDING)
        self.fcnt = fcnt  # 32 bits
        self.fport = fport  # None: no FPort (FOpts only)
        self.fopts = fopts
        self.payload = payload


def parse_data(frame, n, devaddr, fcnt_next, nwkskey, appskey, down=True):
    # A received data frame frame[:n] (a bytearray: FRMPayload is decrypted in place) -> Data.
    # fcnt_next: the lowest acceptable 32-bit counter (the last one accepted + 1, 0 after a join);
    # the 16 low bits on the wire become the lowest counter >= fcnt_next that ends in them, and the
    # MIC is checked with it (spec 4.3.1). Raises FrameError for anything to be dropped.
    if n < 12:
        raise FrameError("%d bytes" % n)
    mhdr = frame[0]
    if mhdr not in ((UNCONFIRMED_DOWN, CONFIRMED_DOWN) if down else (UNCONFIRMED_UP, CONFIRMED_UP)):
        raise FrameError("MHDR 0x%02x" % mhdr)
    addr, fctrl, low = struct.unpack_from("<IBH", frame, 1)
    if addr != devaddr:
        raise FrameError("DevAddr %08x" % addr)
    end = n - 4
    p = 8 + (fctrl & 0x0F)  # FPort, if the frame has one
    if p > end:
        raise FrameError("FOptsLen %d in %d bytes" % (fctrl & 0x0F, n))
    fcnt = fcnt_next + ((low - fcnt_next) & 0xFFFF)
    x = _mic(frame, end, nwkskey, down, devaddr, fcnt)
    for i in range(4):
        if x[i] != frame[end + i]:
            raise FrameError("MIC")
    mv = memoryview(frame)
    if p == end:
        return Data(mhdr, fctrl, fcnt, None, mv[8:p], mv[end:end])
    fport = frame[p]
    if fport == 0 and p > 8:
        raise FrameError("FOpts with FPort 0")
    _crypt(appskey if fport else nwkskey, down, devaddr, fcnt, frame, p + 1, end - p - 1)
    return Data(mhdr, fctrl, fcnt, fport, mv[8:p], mv[p + 1:end])
