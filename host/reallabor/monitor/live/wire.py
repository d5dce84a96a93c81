"""What arrives from the broker, as data: a node's state message (docs/payload.md), its retained
status, and a The Things Stack uplink whose decoded payload mirrors the state message
(docs/lorawan.md, "Decoded data"). Nothing here talks to a broker or a database; a message that
is not what it should be gives None and is counted as rejected by the caller, never an exception."""

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

STATE_TOPICS = ("{prefix}/{site}/+/state", "{prefix}/{site}/+/status")
TTS_TOPIC = "v3/+/devices/+/up"
_SEQ_BITS = 8  # a LoRaWAN uplink carries seq mod 256
HEALTHS = ("ok", "warming_up", "absent", "bus_error", "wrong_chip", "timeout", "checksum_error", "stale", "stuck",
           "out_of_range", "unknown")
_NODE_FIELDS = {"battery_mv": int, "rssi_dbm": int, "firmware": str, "reset": str, "uptime_s": int, "heap_free": int}


@dataclass
class Reading:
    device: str
    seq: int  # for LoRaWAN: seq mod 256 until the collector unwraps it
    node_time: int | None  # the node's `time` (Unix s) or None without wall time
    received: float
    readings: dict  # {sensor: {quantity: {"value": float, "unit": str}}}
    health: dict  # {sensor: health}
    node: dict | None = None  # diagnostics, when the firmware sends them
    site: str = ""
    prefix: str = ""
    source: str = "mqtt"  # "mqtt" or "tts"
    seq_bits: int | None = None  # 8 for LoRaWAN: only the low bits of seq are known
    rssi_dbm: int | None = None  # from the network server's metadata (LoRaWAN)
    digest: str = field(default="")
    restarted: bool = False  # set by the store: its seq started over (a new counter generation)

    @property
    def main(self) -> dict:
        """quantity -> (sensor, value, unit): the values that stand for the node (computed once)."""
        cached = self.__dict__.get("_main")
        if cached is None:
            from reallabor.monitor.live.quantities import main_values

            cached = self.__dict__["_main"] = main_values(self.readings)
        return cached

    @property
    def t(self) -> float:
        """The reading's time: the node's clock when it has one, else when it arrived."""
        return float(self.node_time) if self.node_time is not None else self.received


@dataclass
class Status:
    device: str
    state: str  # online, offline, sleeping
    received: float
    wake: int | None = None
    dropped: int | None = None
    retained: bool = False
    site: str = ""
    prefix: str = ""


def topics(prefixes, site: str | None) -> list[str]:
    """The topic filters for the given prefixes and site (all sites: +), and the TTS uplinks."""
    out = []
    for prefix in sorted(set(prefixes)):
        out += [t.format(prefix=prefix, site=site or "+") for t in STATE_TOPICS]
    return out + [TTS_TOPIC]


def parse(topic: str, payload: bytes, retained: bool = False, received: float | None = None):
    """A Reading, a Status or None (not ours, or malformed)."""
    received = time.time() if received is None else received
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(body, dict):
        return None
    parts = topic.split("/")
    if len(parts) == 5 and parts[0] == "v3" and parts[2] == "devices" and parts[4] == "up":
        return _uplink(parts[3], body, received)
    if len(parts) != 4:
        return None
    prefix, site, device, kind = parts
    if kind == "state":
        return _state(body, device, site, prefix, received, payload)
    if kind == "status":
        return _status(body, device, site, prefix, received, retained)
    return None


def _number(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _clean_readings(raw) -> dict | None:
    """The readings as sent when every value is a number and every unit text ({sensor: {quantity:
    {"value": number, "unit": str, ...}}}), else None. It only checks, copies nothing: it runs for
    every message the collector receives."""
    if type(raw) is not dict:
        return None
    for quantities in raw.values():
        if type(quantities) is not dict:
            return None
        for r in quantities.values():
            if type(r) is not dict or type(r.get("value")) not in (int, float) or type(r.get("unit", "")) is not str:
                return None
    return raw


def _clean_health(raw) -> dict:
    if isinstance(raw, list):  # LoRaWAN: a list in config order
        raw = {f"#{i + 1}": h for i, h in enumerate(raw)}
    if not isinstance(raw, dict):
        return {}
    return {str(k): (v if v in HEALTHS else "unknown") for k, v in raw.items()}


def _clean_node(raw) -> dict | None:
    """The firmware's diagnostics object; fields of the wrong type are left out."""
    if not isinstance(raw, dict):
        return None
    out = {}
    for name, kind in _NODE_FIELDS.items():
        v = raw.get(name)
        if isinstance(v, kind) and not isinstance(v, bool):
            out[name] = v
    return out


def _seq(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _state(body, device, site, prefix, received, payload) -> Reading | None:
    seq = _seq(body.get("seq"))
    readings = _clean_readings(body.get("readings", {}))
    node_time = body.get("time")
    if seq is None or readings is None or not (node_time is None or _seq(node_time) is not None):
        return None
    if body.get("device") not in (None, device):
        return None  # a message that names another device than its topic
    return Reading(device, seq, node_time, received, readings, _clean_health(body.get("health")),
                   _clean_node(body.get("node")), site, prefix, digest=hashlib.sha1(payload).hexdigest())


def _status(body, device, site, prefix, received, retained) -> Status | None:
    state = body.get("state")
    if state not in ("online", "offline", "sleeping"):
        return None
    return Status(device, state, received, _seq(body.get("wake")), _seq(body.get("dropped")), retained, site, prefix)


def _uplink(device, body, received) -> Reading | None:
    """The Things Stack v3 uplink message: uplink_message.decoded_payload is the decoder's data,
    readings keyed by quantity; the device id is the one in the topic."""
    up = body.get("uplink_message")
    data = up.get("decoded_payload") if isinstance(up, dict) else None
    if not isinstance(data, dict):
        return None
    seq = _seq(data.get("seq"))
    raw = data.get("readings", {})
    if isinstance(raw, dict) and raw and all(isinstance(v, dict) and "value" in v for v in raw.values()):
        raw = {"lorawan": raw}  # keyed by quantity: one pseudo-sensor
    readings = _clean_readings(raw)
    if seq is None or readings is None:
        return None
    when = _iso_seconds(body.get("received_at") or up.get("received_at"))
    rssi = [m.get("rssi") for m in up.get("rx_metadata") or [] if isinstance(m, dict)]
    rssi = [r for r in rssi if isinstance(r, (int, float)) and not isinstance(r, bool)]
    canonical = json.dumps([seq, readings, data.get("health")], sort_keys=True).encode()
    return Reading(device, seq, int(when) if when else None, received, readings, _clean_health(data.get("health")),
                   _clean_node(data.get("node")), source="tts", seq_bits=_SEQ_BITS,
                   rssi_dbm=int(max(rssi)) if rssi else None, digest=hashlib.sha1(canonical).hexdigest())


def _iso_seconds(text) -> float | None:
    if not isinstance(text, str):
        return None
    try:  # TTS writes nanoseconds; Python takes at most microseconds
        head, dot, frac = text.rstrip("Z").partition(".")
        return datetime.fromisoformat(head + (dot + frac[:6] if dot else "") + "+00:00").timestamp()
    except ValueError:
        return None


def unwrap(seq_low: int, bits: int, last: int | None) -> int:
    """The full number that ends in seq_low (bits wide) nearest the last full seq: in
    last - 127 .. last + 128 for 8 bits (docs/lorawan.md)."""
    if last is None:
        return seq_low
    span = 1 << bits
    base = last - (span // 2 - 1)
    return base + ((seq_low - base) % span)
