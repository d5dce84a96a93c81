"""The network server of a LoRa replay: what The Things Stack does for one application, as far as a
Class A EU868 node on LoRaWAN 1.0.4 sees it, behind the Semtech UDP packet forwarder protocol
(version 2, Lora-net/packet_forwarder PROTOCOL.TXT) on loopback (docs/lorawan.md).

- Joins OTAA devices with their AppKey, refusing a DevNonce that does not increase (The Things
  Stack's dev_nonce_too_small), and knows ABP sessions.
- Checks each uplink's MIC with the 32-bit frame counter it reconstructs; a counter used before
  with other content is refused and counted; the same frame again (NbTrans, a confirmed
  retransmission) is a repetition: acknowledged again, not published again.
- Decrypts, decodes with decoders/reallabor.js and publishes each uplink (and each join) to MQTT
  in The Things Stack's format: v3/<application>@<tenant>/devices/<device>/up.
- Answers in RX1 (RX2 if asked to): join-accepts, ACKs, the MAC commands The Things Stack sends
  after a join (LinkADRReq with the channel mask, DutyCycleReq, RXParamSetupReq with RX2 at SF9,
  RXTimingSetupReq 5 s, DevStatusReq), again in every downlink until answered; LinkCheckAns,
  DeviceTimeAns, DevStatusReq once a day, and a simple ADR (margin over the last 20 uplinks). An
  uplink with answers the device repeats until it hears a downlink (RXParamSetupAns,
  RXTimingSetupAns, DlChannelAns) gets one, so that it stops (one downlink instead of three bytes
  in every uplink).

It acknowledges a PUSH_DATA at once and processes it after, as the protocol says; settled() lets
the simulated gateway wait until that is done, so that virtual time stays deterministic."""

import base64
import json
import os
import socket
import struct
import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

import paho.mqtt.client as paho

from reallabor.mqtt.url import parse_url
from reallabor.sim import lorawire as lw

PROTOCOL = 2
PUSH_DATA, PUSH_ACK, PULL_DATA, PULL_RESP, PULL_ACK, TX_ACK = 0, 1, 2, 3, 4, 5
NET_ID = 0x000013  # The Things Network
DEVADDR_PREFIX = 0x260B0000
CFLIST = (867100000, 867300000, 867500000, 867700000, 867900000)  # EU_863_870_TTN
RX1_DELAY_S = 5  # what The Things Stack puts in the join-accept
RX2_FREQ = 869525000
RX2_DR = 3  # SF9, The Things Network's RX2 (the specification's default is DR0)
JOIN_DELAY_US = 5_000_000
GPS_UNIX_S = 315964800 - 18
DEV_STATUS_EVERY_MS = 86_400_000
REQUIRED_SNR = {7: -7.5, 8: -10.0, 9: -12.5, 10: -15.0, 11: -17.5, 12: -20.0}  # demodulation floor per SF
ADR_MARGIN_DB = 15  # The Things Stack's installation margin
ADR_SAMPLES = 20
_UP_CMD_LEN = {0x02: 0, 0x03: 1, 0x04: 0, 0x05: 1, 0x06: 2, 0x07: 1, 0x08: 0, 0x0A: 1, 0x0D: 0}


def sf_bw(datr: str) -> tuple[int, int]:
    """"SF7BW125" -> (7, 125)"""
    sf, bw = datr[2:].split("BW")
    return int(sf), int(bw)


def dr_of(sf: int, bw: int) -> int:
    return 6 if bw == 250 else 12 - sf


def sf_of(dr: int) -> int:
    return 7 if dr >= 5 else 12 - dr


def iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass
class Device:
    """An end device as registered in the application: OTAA keys, or an ABP session."""

    device_id: str
    dev_eui: str
    join_eui: str = ""
    app_key: str = ""
    dev_addr: str = ""
    nwk_s_key: str = ""
    app_s_key: str = ""
    rx1_delay_s: int = 1
    rx2_dr: int = RX2_DR

    @classmethod
    def from_config(cls, device_id: str, lora: dict) -> "Device":
        keys = ("dev_eui", "join_eui", "app_key", "dev_addr", "nwk_s_key", "app_s_key")
        values = {k: (lora.get(k) or "").upper() for k in keys}
        return cls(device_id, **values, rx1_delay_s=lora.get("rx1_delay_s", 1), rx2_dr=lora.get("rx2_dr", RX2_DR))


@dataclass
class Session:
    device: Device
    dev_addr: int
    nwk: bytes
    app: bytes
    rx1_delay: int
    rx2_dr: int
    rx1_offset: int = 0
    rx2_freq: int = RX2_FREQ
    fcnt_up: int | None = None  # the last accepted
    last_phy: bytes = b""
    fcnt_down: int = 0
    pending: list = field(default_factory=list)  # MAC commands sent in every downlink until answered
    answers: bytearray = field(default_factory=bytearray)  # answers for the next downlink only
    status_due_ms: int = 0
    snrs: list = field(default_factory=list)
    adr_dr: int | None = None
    sticky: bool = False  # the uplink repeats answers until a downlink comes: send one


@dataclass
class Stats:
    join_requests: int = 0
    joins: int = 0
    dev_nonce_refused: int = 0  # not above the device's last DevNonce (1.0.4): refused
    dev_nonce_reused: int = 0  # of those, a value the device had sent before
    uplinks: int = 0  # frames accepted
    repetitions: int = 0  # the same frame again
    fcnt_reused: int = 0  # a counter used before, with other content: refused
    mic_failed: int = 0
    unknown_devaddr: int = 0
    downlinks: int = 0  # sent to the gateway
    tx_refused: int = 0  # the gateway's TX_ACK said no
    published: int = 0
    battery: list = field(default_factory=list)  # DevStatusAns battery values
    adr_requests: int = 0


class NetworkServer:
    def __init__(self, devices: list[Device], broker_url: str | None, application: str = "reallabor",
                 tenant: str = "ttn", rx_window: int = 1, seed: int = 0):
        self.devices = {d.dev_eui: d for d in devices}
        self.application = application
        self.tenant = tenant
        self.rx_window = rx_window
        self.stats = Stats()
        self.sessions: dict[int, Session] = {}  # by DevAddr; old ones stay until replaced
        self._nonces: dict[str, list[int]] = {}
        self._join_nonce: dict[str, int] = {}
        self._seed = seed
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)  # the server looks at _stop this often
        self.address = self.sock.getsockname()
        self._pull_addr = None
        self._pushes = 0
        self._resps = 0
        self._cond = threading.Condition()
        self._stop = False
        self._mqtt = None
        self._decoder = None
        self.published: list[tuple[str, dict]] = []  # (topic, message) of everything published
        self.errors: list[str] = []  # what went wrong processing a datagram (a bug: the replay says so)
        for d in devices:
            if d.dev_addr:
                addr = int(d.dev_addr, 16)
                self.sessions[addr] = Session(d, addr, bytes.fromhex(d.nwk_s_key), bytes.fromhex(d.app_s_key),
                                              d.rx1_delay_s, d.rx2_dr)
        if broker_url:
            b = parse_url(broker_url)
            client_id = f"reallabor-ns-{os.getpid()}-{id(self):x}"
            self._mqtt = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
            self._mqtt.connect(b.host, b.port)
            self._mqtt.loop_start()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def topic(self, device_id: str, kind: str = "up") -> str:
        return f"v3/{self.application}@{self.tenant}/devices/{device_id}/{kind}"

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()
        if self._mqtt:
            self._mqtt.loop_stop()
            self._mqtt.disconnect()
        if self._decoder:
            self._decoder.close()

    def settled(self, pushes: int, timeout_s: float = 10) -> int:
        """Wait until `pushes` PUSH_DATA have been processed -> the PULL_RESPs sent so far."""
        with self._cond:
            self._cond.wait_for(lambda: self._pushes >= pushes, timeout_s)
            return self._resps

    # -- the UDP side ----------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 4 or data[0] != PROTOCOL:
                continue
            token, kind = data[1:3], data[3]
            if kind == PUSH_DATA:
                self.sock.sendto(bytes((PROTOCOL,)) + token + bytes((PUSH_ACK,)), addr)
                try:
                    self._push(json.loads(data[12:] or b"{}"))
                except Exception as e:  # keep serving; the replay reports it
                    self.errors.append(f"{type(e).__name__}: {e}")
                finally:
                    with self._cond:
                        self._pushes += 1
                        self._cond.notify_all()
            elif kind == PULL_DATA:
                self._pull_addr = addr
                self.sock.sendto(bytes((PROTOCOL,)) + token + bytes((PULL_ACK,)), addr)
            elif kind == TX_ACK:
                ack = json.loads(data[12:] or b"{}").get("txpk_ack", {})
                if ack.get("error", "NONE") != "NONE":
                    self.stats.tx_refused += 1

    def _push(self, body: dict) -> None:
        for rx in body.get("rxpk", []):
            phy = base64.b64decode(rx["data"])
            sf, bw = sf_bw(rx["datr"])
            meta = dict(tmst=rx["tmst"], time=rx["time"], freq=round(rx["freq"] * 1e6), sf=sf, bw=bw,
                        rssi=rx.get("rssi", 0), snr=rx.get("lsnr", 0.0), codr=rx.get("codr", "4/5"), size=len(phy))
            if not phy:
                continue
            if phy[0] == lw.JOIN_REQUEST:
                self._join(phy, meta)
            elif phy[0] in (lw.UNCONFIRMED_UP, lw.CONFIRMED_UP):
                self._uplink(phy, meta)

    def _send(self, phy: bytes, tmst: int, freq: int, sf: int, bw: int = 125) -> None:
        if self._pull_addr is None:
            return  # no gateway has pulled yet: no route for downlinks
        txpk = {"imme": False, "tmst": tmst & 0xFFFFFFFF, "freq": round(freq / 1e6, 6), "rfch": 0, "powe": 14,
                "modu": "LORA", "datr": f"SF{sf}BW{bw}", "codr": "4/5", "ipol": True, "size": len(phy),
                "data": base64.b64encode(phy).decode(), "ncrc": True}
        token = os.urandom(2)
        self.sock.sendto(bytes((PROTOCOL,)) + token + bytes((PULL_RESP,)) + json.dumps({"txpk": txpk}).encode(),
                         self._pull_addr)
        self.stats.downlinks += 1
        with self._cond:
            self._resps += 1

    def _window(self, meta: dict, delay_us: int, dr: int, rx2_dr: int, rx2_freq: int):
        """(tmst, freq, SF) of RX1 or RX2 after the uplink described by meta"""
        if self.rx_window == 1:
            return meta["tmst"] + delay_us, meta["freq"], sf_of(dr)
        return meta["tmst"] + delay_us + 1_000_000, rx2_freq, sf_of(rx2_dr)

    # -- joins -----------------------------------------------------------------------------------

    def _join(self, phy: bytes, meta: dict) -> None:
        req = lw.parse_join_request(phy)
        dev = self.devices.get(req.dev_eui)
        if dev is None or not dev.app_key or dev.join_eui != req.join_eui:
            return
        key = bytes.fromhex(dev.app_key)
        if not req.mic_ok(key):
            self.stats.mic_failed += 1
            return
        self.stats.join_requests += 1
        seen = self._nonces.setdefault(dev.dev_eui, [])
        if seen and req.dev_nonce <= max(seen):
            self.stats.dev_nonce_refused += 1
            self.stats.dev_nonce_reused += req.dev_nonce in seen
            seen.append(req.dev_nonce)
            return
        seen.append(req.dev_nonce)
        join_nonce = self._join_nonce.get(dev.dev_eui, 0) + 1
        self._join_nonce[dev.dev_eui] = join_nonce
        dev_addr = DEVADDR_PREFIX | (zlib.crc32(f"{dev.dev_eui}{join_nonce}{self._seed}".encode()) & 0xFFFF)
        nwk, app = lw.session_keys(key, join_nonce, NET_ID, req.dev_nonce)
        s = Session(dev, dev_addr, nwk, app, RX1_DELAY_S, RX2_DR)
        dr = dr_of(meta["sf"], meta["bw"])
        # what The Things Stack sends after a join: the channel mask with the CFList's channels (data
        # rate and power as the device has them: 0xF),
        # no extra duty cycle, RX2 at SF9 on 869.525 MHz, RX1 5 s after the uplink, the status
        s.pending = [bytes((0x03, 0xFF, 0xFF, 0x00, 0x01)), bytes((0x04, 0)),
                     bytes((0x05, RX2_DR)) + struct.pack("<I", RX2_FREQ // 100)[:3], bytes((0x08, RX1_DELAY_S)),
                     bytes((0x06,))]
        s.status_due_ms = iso_ms(meta["time"]) + DEV_STATUS_EVERY_MS
        self.sessions[dev_addr] = s
        self.stats.joins += 1
        accept = lw.join_accept(key, join_nonce, NET_ID, dev_addr, 0, RX2_DR, RX1_DELAY_S, CFLIST)
        tmst, freq, sf = self._window(meta, JOIN_DELAY_US, dr, 0, RX2_FREQ)
        self._send(accept, tmst, freq, sf)
        self._publish(dev, "join", meta, {"join_accept": {"received_at": meta["time"]}}, dev_addr)

    # -- data ------------------------------------------------------------------------------------

    def _uplink(self, phy: bytes, meta: dict) -> None:
        f = lw.parse_data(phy)
        s = self.sessions.get(f.devaddr)
        if s is None:
            self.stats.unknown_devaddr += 1
            return
        if s.fcnt_up is not None and f.fcnt16 == s.fcnt_up & 0xFFFF:
            if phy == s.last_phy:  # a repetition: NbTrans, or a confirmed retransmission
                self.stats.repetitions += 1
                if f.confirmed:
                    self._answer(s, f, meta, ack=True)
                return
            if f.mic_ok(s.nwk, s.fcnt_up):
                self.stats.fcnt_reused += 1
                return
        fcnt = f.full_fcnt(s.fcnt_up)
        if not f.mic_ok(s.nwk, fcnt):
            if s.fcnt_up is not None and any(f.mic_ok(s.nwk, c) for c in (fcnt - 0x10000,) if c >= 0):
                self.stats.fcnt_reused += 1  # an older counter again (a node that forgot its counter)
            else:
                self.stats.mic_failed += 1
            return
        s.fcnt_up, s.last_phy = fcnt, phy
        self.stats.uplinks += 1
        payload = f.payload(s.nwk, s.app, fcnt) if f.fport is not None else b""
        commands = payload if f.fport == 0 else f.fopts
        self._device_commands(s, bytes(commands), meta)
        dr = dr_of(meta["sf"], meta["bw"])
        self._adr(s, f, dr, meta["snr"])
        if f.fport:
            self._publish_uplink(s, f, fcnt, payload, meta)
        t = iso_ms(meta["time"])
        if t >= s.status_due_ms and not any(c[0] == 0x06 for c in s.pending):
            s.pending.append(bytes((0x06,)))
            s.status_due_ms = t + DEV_STATUS_EVERY_MS
        if f.confirmed or s.pending or s.answers or s.sticky or f.fctrl & lw.ADR_ACK_REQ:
            self._answer(s, f, meta, ack=f.confirmed)

    def _device_commands(self, s: Session, c: bytes, meta: dict) -> None:
        i = 0
        while i < len(c):
            cid = c[i]
            n = _UP_CMD_LEN.get(cid)
            if n is None:
                return
            p = c[i + 1:i + 1 + n]
            if cid == 0x02:  # LinkCheckReq -> margin over the demodulation floor, one gateway
                margin = max(0, int(meta["snr"] - REQUIRED_SNR[meta["sf"]]))
                s.answers += bytes((0x02, min(margin, 254), 1))
            elif cid == 0x0D:  # DeviceTimeReq -> GPS time at the end of this uplink
                ms = iso_ms(meta["time"])
                s.answers += bytes((0x0D,)) + struct.pack("<IB", ms // 1000 - GPS_UNIX_S, (ms % 1000) * 256 // 1000)
            elif cid == 0x06:
                self.stats.battery.append(p[0])
                self._answered(s, 0x06)
            elif cid == 0x05 and p and p[0] == 7:  # RXParamSetupAns: all accepted
                req = self._answered(s, 0x05)
                if req:
                    s.rx1_offset, s.rx2_dr = (req[1] >> 4) & 7, req[1] & 15
                    s.rx2_freq = (req[2] | req[3] << 8 | req[4] << 16) * 100
            elif cid == 0x08:
                req = self._answered(s, 0x08)
                if req:
                    s.rx1_delay = req[1] & 15 or 1
            elif cid in (0x03, 0x04, 0x05, 0x07, 0x0A):
                self._answered(s, cid)
            if cid in (0x05, 0x08, 0x0A):
                s.sticky = True
            i += 1 + n

    def _answered(self, s: Session, cid: int) -> bytes | None:
        for req in s.pending:
            if req[0] == cid:
                s.pending.remove(req)
                return req
        return None

    def _adr(self, s: Session, f: lw.DataFrame, dr: int, snr: float) -> None:
        if not f.fctrl & lw.ADR:
            return
        if s.adr_dr != dr:
            s.adr_dr, s.snrs = dr, []
        s.snrs.append(snr)
        if len(s.snrs) < ADR_SAMPLES or dr >= 5 or any(c[0] == 0x03 for c in s.pending):
            return
        steps = int((max(s.snrs) - REQUIRED_SNR[sf_of(dr)] - ADR_MARGIN_DB) // 3)
        if steps > 0:
            s.pending.append(bytes((0x03, min(5, dr + steps) << 4 | 0x0F, 0xFF, 0x00, 0x01)))
            s.snrs = []
            self.stats.adr_requests += 1

    def _answer(self, s: Session, f: lw.DataFrame, meta: dict, ack: bool) -> None:
        commands = b"".join(s.pending) + bytes(s.answers)
        s.answers = bytearray()
        s.sticky = False
        fport, payload, fopts = (0, commands, b"") if len(commands) > 15 else (None, b"", commands)
        phy = lw.build_data(lw.UNCONFIRMED_DOWN, s.dev_addr, s.fcnt_down, s.nwk, s.app, lw.ACK if ack else 0, fopts,
                            fport, payload)
        s.fcnt_down += 1
        dr = dr_of(meta["sf"], meta["bw"])
        tmst, freq, sf = self._window(meta, s.rx1_delay * 1_000_000, max(0, dr - s.rx1_offset), s.rx2_dr,
                                      s.rx2_freq)
        self._send(phy, tmst, freq, sf)

    # -- MQTT ------------------------------------------------------------------------------------

    def _publish_uplink(self, s: Session, f: lw.DataFrame, fcnt: int, payload: bytes, meta: dict) -> None:
        if self._decoder is None:
            from reallabor.sim.uplinkdecoder import Decoder

            self._decoder = Decoder()
        decoded = self._decoder.decode(f.fport, payload)
        up = {
            "f_port": f.fport, "f_cnt": fcnt, "frm_payload": base64.b64encode(payload).decode(),
            "rx_metadata": [{"gateway_ids": {"gateway_id": "replay-gateway"}, "time": meta["time"],
                             "timestamp": meta["tmst"], "rssi": meta["rssi"], "channel_rssi": meta["rssi"],
                             "snr": meta["snr"], "received_at": meta["time"]}],
            "settings": {"data_rate": {"lora": {"bandwidth": meta["bw"] * 1000, "spreading_factor": meta["sf"],
                                                "coding_rate": meta["codr"]}},
                         "frequency": str(meta["freq"]), "timestamp": meta["tmst"], "time": meta["time"]},
            "received_at": meta["time"], "confirmed": f.confirmed,
            "consumed_airtime": f"{lw.airtime_us(meta['size'], meta['sf'], meta['bw']) / 1e6:.6f}s",
        }
        if "data" in decoded:
            up["decoded_payload"] = decoded["data"]
        if decoded.get("warnings"):
            up["decoded_payload_warnings"] = decoded["warnings"]
        self._publish(s.device, "up", meta, {"uplink_message": up}, s.dev_addr)

    def _publish(self, dev: Device, kind: str, meta: dict, body: dict, dev_addr: int) -> None:
        ids = {"device_id": dev.device_id, "application_ids": {"application_id": self.application},
               "dev_eui": dev.dev_eui, "dev_addr": f"{dev_addr:08X}"}
        if dev.join_eui:
            ids["join_eui"] = dev.join_eui
        message = {"end_device_ids": ids, "received_at": meta["time"], **body}
        self.stats.published += 1
        self.published.append((self.topic(dev.device_id, kind), message))
        if self._mqtt:
            self._mqtt.publish(self.topic(dev.device_id, kind), json.dumps(message), qos=1)
