"""LoRaWAN 1.0.x frames on the network's side (TS001-1.0.4): AES-CMAC, MIC, FRMPayload encryption,
join-request and join-accept, the session keys, and the time on air. Written apart from the
firmware's node.net.lorawan_frames (AES from `cryptography` here), so that the simulated network
server and the node check each other; the tests have lora-packet check both."""

import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

JOIN_REQUEST, JOIN_ACCEPT = 0x00, 0x20
UNCONFIRMED_UP, UNCONFIRMED_DOWN, CONFIRMED_UP, CONFIRMED_DOWN = 0x40, 0x60, 0x80, 0xA0
ADR, ADR_ACK_REQ, ACK, FPENDING = 0x80, 0x40, 0x20, 0x10
UP, DOWN = 0, 1


class FrameError(ValueError):
    pass


def _ecb(key: bytes, data: bytes, decrypt: bool = False) -> bytes:
    c = Cipher(algorithms.AES(key), modes.ECB())
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def cmac(key: bytes, msg: bytes) -> bytes:
    c = CMAC(algorithms.AES(key))
    c.update(msg)
    return c.finalize()


def _block(first: int, direction: int, devaddr: int, fcnt: int, last: int) -> bytes:
    # A_i and B0 (TS001 4.3.3, 4.4)
    return struct.pack("<B4xBII", first, direction, devaddr, fcnt & 0xFFFFFFFF) + bytes((0, last))


def data_mic(nwk: bytes, direction: int, devaddr: int, fcnt: int, msg: bytes) -> bytes:
    return cmac(nwk, _block(0x49, direction, devaddr, fcnt, len(msg)) + msg)[:4]


def crypt(key: bytes, direction: int, devaddr: int, fcnt: int, data: bytes) -> bytes:
    stream = b"".join(_ecb(key, _block(0x01, direction, devaddr, fcnt, i + 1)) for i in range((len(data) + 15) // 16))
    return bytes(a ^ b for a, b in zip(data, stream))


@dataclass
class JoinRequest:
    join_eui: str  # hex, most significant byte first
    dev_eui: str
    dev_nonce: int
    phy: bytes

    def mic_ok(self, app_key: bytes) -> bool:
        return cmac(app_key, self.phy[:19])[:4] == self.phy[19:23]


def parse_join_request(phy: bytes) -> JoinRequest:
    if len(phy) != 23 or phy[0] != JOIN_REQUEST:
        raise FrameError("no join-request")
    return JoinRequest(phy[1:9][::-1].hex().upper(), phy[9:17][::-1].hex().upper(), phy[17] | phy[18] << 8, phy)


def session_keys(app_key: bytes, join_nonce: int, net_id: int, dev_nonce: int) -> tuple[bytes, bytes]:
    tail = struct.pack("<I", join_nonce)[:3] + struct.pack("<I", net_id)[:3] + struct.pack("<H", dev_nonce) + bytes(7)
    return _ecb(app_key, b"\x01" + tail), _ecb(app_key, b"\x02" + tail)


def join_accept(app_key: bytes, join_nonce: int, net_id: int, dev_addr: int, rx1_offset: int, rx2_dr: int,
                rx_delay: int, cflist: tuple = ()) -> bytes:
    """MHDR | aes128_decrypt(AppKey, JoinNonce | NetID | DevAddr | DLSettings | RxDelay | CFList | MIC)."""
    body = (struct.pack("<I", join_nonce)[:3] + struct.pack("<I", net_id)[:3] + struct.pack("<I", dev_addr)
            + bytes(((rx1_offset & 7) << 4 | (rx2_dr & 15), rx_delay & 15)))
    if cflist:
        body += b"".join(struct.pack("<I", f // 100)[:3] for f in (list(cflist) + [0] * 5)[:5]) + b"\x00"
    mic = cmac(app_key, bytes((JOIN_ACCEPT,)) + body)[:4]
    return bytes((JOIN_ACCEPT,)) + _ecb(app_key, body + mic, decrypt=True)


@dataclass
class DataFrame:
    mhdr: int
    devaddr: int
    fctrl: int
    fcnt16: int
    fopts: bytes
    fport: int | None
    frm: bytes  # still encrypted
    phy: bytes

    @property
    def confirmed(self) -> bool:
        return self.mhdr in (CONFIRMED_UP, CONFIRMED_DOWN)

    def full_fcnt(self, last: int | None) -> int:
        """The 32-bit counter: the lowest above last (None: from 0) that ends in the 16 bits sent."""
        nxt = 0 if last is None else last + 1
        return nxt + ((self.fcnt16 - nxt) & 0xFFFF)

    def mic_ok(self, nwk: bytes, fcnt: int, direction: int = UP) -> bool:
        return data_mic(nwk, direction, self.devaddr, fcnt, self.phy[:-4]) == self.phy[-4:]

    def payload(self, nwk: bytes, app: bytes, fcnt: int, direction: int = UP) -> bytes:
        return crypt(nwk if self.fport == 0 else app, direction, self.devaddr, fcnt, self.frm)


def parse_data(phy: bytes) -> DataFrame:
    if len(phy) < 12 or phy[0] not in (UNCONFIRMED_UP, CONFIRMED_UP, UNCONFIRMED_DOWN, CONFIRMED_DOWN):
        raise FrameError("no data frame")
    devaddr, fctrl, fcnt16 = struct.unpack_from("<IBH", phy, 1)
    p = 8 + (fctrl & 15)
    if p > len(phy) - 4:
        raise FrameError("FOptsLen")
    fport = phy[p] if p < len(phy) - 4 else None
    return DataFrame(phy[0], devaddr, fctrl, fcnt16, phy[8:p], fport, phy[p + 1:-4] if fport is not None else b"", phy)


def build_data(mhdr: int, devaddr: int, fcnt: int, nwk: bytes, app: bytes, fctrl: int = 0, fopts: bytes = b"",
               fport: int | None = None, payload: bytes = b"") -> bytes:
    direction = DOWN if mhdr in (UNCONFIRMED_DOWN, CONFIRMED_DOWN) else UP
    msg = bytes((mhdr,)) + struct.pack("<IBH", devaddr, (fctrl & 0xF0) | len(fopts), fcnt & 0xFFFF) + fopts
    if fport is not None:
        msg += bytes((fport,)) + crypt(nwk if fport == 0 else app, direction, devaddr, fcnt, payload)
    return msg + data_mic(nwk, direction, devaddr, fcnt, msg)


def airtime_us(length: int, sf: int, bw_khz: float = 125, cr: int = 5, preamble: int = 8, crc: bool = True) -> int:
    """Time on air (Semtech AN1200.13) of an explicit-header LoRa frame; low data rate optimisation
    as the radios set it (symbols longer than 16 ms)."""
    ts_us = (1 << sf) * 1000 / bw_khz
    de = 1 if ts_us > 16000 else 0
    bits = 8 * length - 4 * sf + 28 + (16 if crc else 0)
    blocks = max(0, -(-bits // (4 * (sf - 2 * de))))
    return int((preamble + 4.25 + 8 + blocks * cr) * ts_us)
