"""A LoRa gateway for the replay, speaking the Semtech UDP packet forwarder protocol (version 2,
Lora-net/packet_forwarder PROTOCOL.TXT) to the network server on loopback (docs/lorawan.md).

It hears what the simulated node sends (its `radio tx` console lines, printed at the virtual time
each transmission ends) and forwards each frame as a PUSH_DATA rxpk, with `tmst` the
concentrator's 32-bit microsecond counter: virtual microseconds since the trace start, wrapping
every 71.6 minutes as a real one does. What the server sends back in PULL_RESP txpk it transmits at
that tmst: when the node opens a receive window (`radio listen`) the gateway hands the simulator
the frames it has scheduled, and the simulator puts them on its air. Virtual time stands still
meanwhile: after each PUSH_DATA the gateway waits until the server has processed it
(NetworkServer.settled) and until every PULL_RESP the server sent has arrived.

Every frame on the air is kept in `frames` ({"t": virtual ms at the end of TX, "dir": "up" or
"down", "freq_hz", "sf", "bw_khz", "phy", "airtime_ms"}, "lost": true for a frame that went out
but did not arrive). Faults: `down` (hears nothing, sends nothing), `lose_next(n)` (the next n
downlinks go out but do not reach the node)."""

import base64
import json
import os
import socket
import threading

from reallabor.sim import lorawire as lw
from reallabor.sim.netserver import PROTOCOL, PULL_ACK, PULL_DATA, PULL_RESP, PUSH_ACK, PUSH_DATA, TX_ACK, iso, sf_bw

KEEPALIVE_S = 10  # PULL_DATA, as the packet forwarder's keepalive_interval
SETTLE_S = 10  # at most this long (real time) for the server to answer a push
_WRAP = 1 << 32


class Gateway:
    EUI = bytes.fromhex("AA555A0000000001")

    def __init__(self, server: tuple, settle, epoch_ms: int, rssi: int = -80, snr: float = 7.0):
        self.settle = settle
        self.epoch_ms = epoch_ms
        self.rssi = rssi
        self.snr = snr
        self.frames: list[dict] = []
        self.down = False
        self._lose = 0
        self._pending: list[dict] = []  # downlinks scheduled, for the simulator's next window
        self._now_us = 0
        self._pushes = 0
        self._resps = 0
        self.push_acks = 0
        self.tx_errors: list[str] = []
        self._cond = threading.Condition()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(0.1)  # the receiver looks at _stop this often
        self.sock.connect(server)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()
        self._keepalive = threading.Thread(target=self._pull, daemon=True)
        self._keepalive.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def lose_next(self, n: int) -> None:
        self._lose += n

    def set_down(self, down: bool) -> None:
        self.down = down
        if down:
            self._pending.clear()

    # -- what the simulator says -----------------------------------------------------------------

    def heard(self, t_ms: int, tx) -> None:
        """A transmission of the node ended at t_ms (virtual ms since the trace start); tx is a
        reallabor.firmware.console.RadioFrame."""
        end_us = t_ms * 1000
        self._now_us = end_us
        record = {"t": t_ms, "dir": "up", "freq_hz": tx.freq_hz, "sf": tx.sf, "bw_khz": tx.bw_khz,
                  "phy": tx.phy.hex(), "airtime_ms": tx.toa_ms}
        if self.down:
            record["lost"] = True
        self.frames.append(record)
        if self.down:
            return
        rxpk = {"time": iso(self.epoch_ms + t_ms), "tmst": end_us % _WRAP, "chan": 0, "rfch": 0,
                "freq": round(tx.freq_hz / 1e6, 6), "stat": 1, "modu": "LORA", "datr": f"SF{tx.sf}BW{tx.bw_khz}",
                "codr": f"4/{tx.cr}", "rssi": self.rssi, "lsnr": self.snr, "size": len(tx.phy),
                "data": base64.b64encode(tx.phy).decode()}
        self._datagram(PUSH_DATA, self.EUI + json.dumps({"rxpk": [rxpk]}).encode())
        self._pushes += 1
        sent = self.settle(self._pushes, SETTLE_S)
        with self._cond:
            self._cond.wait_for(lambda: self._resps >= sent, SETTLE_S)

    def listen(self, t_ms: int, freq_hz: int, sf: int, bw_khz) -> list[str]:
        """A receive window opens at t_ms -> the downlink records for the simulator (JSON lines)."""
        self._now_us = max(self._now_us, t_ms * 1000)
        with self._cond:
            out, self._pending = self._pending, []
        # frames long past cannot be heard any more (a node that was off when they went out)
        return [json.dumps({k: v for k, v in r.items() if k not in ("start", "end")}) for r in out
                if r["end"] >= t_ms * 1000]

    # -- UDP -------------------------------------------------------------------------------------

    def _datagram(self, kind: int, body: bytes = b"", token: bytes | None = None) -> None:
        try:
            self.sock.send(bytes((PROTOCOL,)) + (token or os.urandom(2)) + bytes((kind,)) + body)
        except OSError:
            pass  # closed

    def _pull(self) -> None:
        while not self._stop.is_set():
            self._datagram(PULL_DATA, self.EUI)
            self._stop.wait(KEEPALIVE_S)

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 4 or data[0] != PROTOCOL:
                continue
            if data[3] == PUSH_ACK:
                self.push_acks += 1
            elif data[3] == PULL_RESP:
                error = self._transmit(json.loads(data[4:])["txpk"])
                self._datagram(TX_ACK, self.EUI + json.dumps({"txpk_ack": {"error": error}}).encode(), data[1:3])
                with self._cond:
                    self._resps += 1
                    self._cond.notify_all()
            elif data[3] != PULL_ACK:
                continue

    def _unwrap(self, tmst: int) -> int:
        # the virtual us nearest to now that the 32-bit counter value stands for
        t = self._now_us - self._now_us % _WRAP + tmst
        if t < self._now_us - _WRAP // 2:
            t += _WRAP
        elif t > self._now_us + _WRAP // 2:
            t -= _WRAP
        return t

    def _transmit(self, txpk: dict) -> str:
        # schedule one downlink -> the TX_ACK error ("NONE" when accepted)
        if self.down:
            return "TX_POWER"  # nothing goes out: the concentrator is off
        start_us = self._unwrap(txpk["tmst"])
        freq = round(txpk["freq"] * 1e6)
        sf, bw = sf_bw(txpk["datr"])
        phy = base64.b64decode(txpk["data"])
        airtime = lw.airtime_us(len(phy), sf, bw, crc=not txpk.get("ncrc", False))
        if start_us < self._now_us:
            error = "TOO_LATE"
        elif start_us > self._now_us + 3_600_000_000:
            error = "TOO_EARLY"
        elif not 863_000_000 <= freq <= 870_000_000:
            error = "TX_FREQ"
        elif any(p["start"] < start_us + airtime and start_us < p["end"] for p in self._pending):
            error = "COLLISION_PACKET"
        else:
            error = "NONE"
        if error != "NONE":
            self.tx_errors.append(error)
            return error
        record = {"t": (start_us + airtime) // 1000, "dir": "down", "freq_hz": freq, "sf": sf, "bw_khz": bw,
                  "phy": phy.hex(), "airtime_ms": round(airtime / 1000, 1)}
        if self._lose:
            self._lose -= 1
            record["lost"] = True
        self.frames.append(record)
        if "lost" not in record:
            with self._cond:
                self._pending.append({"t": start_us // 1000, "us": start_us % 1000, "radio": "down", "freq_hz": freq,
                                      "sf": sf, "bw_khz": bw, "phy": phy.hex(), "rssi": self.rssi,
                                      "snr": int(self.snr), "dbm": txpk.get("powe", 14), "start": start_us,
                                      "end": start_us + airtime})
        return "NONE"
