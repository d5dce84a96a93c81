"""A LoRa node's replay: the simulated gateway and network server it runs against (sim/gateway.py,
sim/netserver.py), and what the frames on the air say afterwards: airtime and downlinks per day
against The Things Network's fair-use budget, for the summary, the fault table and the tests."""

import json
from dataclasses import dataclass
from pathlib import Path

from reallabor.env import find_program
from reallabor.firmware import console
from reallabor.sim.gateway import Gateway
from reallabor.sim.netserver import Device, NetworkServer

DAY_MS = 86_400_000
FAIR_USE_AIRTIME_S = 30.0  # The Things Network, per device and 24 h
FAIR_USE_DOWNLINKS = 10


class LoraRun:
    def __init__(self, device_id: str, lora: dict, broker_url: str | None, epoch_ms: int, options: dict | None = None):
        options = options or {}
        find_program("node")  # the network server decodes with decoders/reallabor.js: say now if node is missing
        self.device = Device.from_config(device_id, lora)
        self.server = NetworkServer([self.device], broker_url, rx_window=options.get("rx_window", 1))
        self.gateway = Gateway(self.server.address, self.server.settled, epoch_ms)
        self.topic = self.server.topic(device_id, "#")

    def published(self) -> int:
        return self.server.stats.published

    @property
    def frames(self) -> list[dict]:
        return sorted(self.gateway.frames, key=lambda f: f["t"])

    def close(self) -> None:
        self.gateway.close()
        self.server.close()

    def write_frames(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(f) + "\n" for f in self.frames), encoding="utf-8")


@dataclass
class Airtime:
    days: list  # per day of the trace (from t = 0): (uplink airtime s, downlinks)
    worst_airtime_s: float  # the most uplink airtime in any 24 h window
    worst_downlinks: int  # the most downlinks in any 24 h window

    @property
    def within_budget(self) -> bool:
        return self.worst_airtime_s <= FAIR_USE_AIRTIME_S + 1e-9 and self.worst_downlinks <= FAIR_USE_DOWNLINKS


def airtime(frames: list[dict], end_ms: int) -> Airtime:
    """Uplink airtime and downlinks (lost ones too: they went out) per day and in the worst 24 h."""
    days = [[0.0, 0] for _ in range(max(1, -(-end_ms // DAY_MS)))]
    for f in frames:
        day = min(f["t"] // DAY_MS, len(days) - 1)
        if f["dir"] == "up":
            days[day][0] += f["airtime_ms"] / 1000
        else:
            days[day][1] += 1
    return Airtime([tuple(d) for d in days], _worst(frames, "up", lambda f: f["airtime_ms"] / 1000),
                   int(_worst(frames, "down", lambda f: 1)))


def _worst(frames: list[dict], direction: str, weight) -> float:
    chosen = [f for f in frames if f["dir"] == direction]
    best = total = 0.0
    first = 0
    for f in chosen:
        total += weight(f)
        while chosen[first]["t"] <= f["t"] - DAY_MS:
            total -= weight(chosen[first])
            first += 1
        best = max(best, total)
    return best


def waits(console_lines: list[str]) -> dict[str, list[int]]:
    """The MAC's waits from the console (`lora wait <what> <ms> ms`): what -> [ms, ...]"""
    out: dict[str, list[int]] = {}
    for line in console_lines:
        entry = console.parse(line)
        w = entry and console.lora_wait(entry.text)
        if w:
            out.setdefault(w[0], []).append(w[1])
    return out


def full_seqs(uplinks) -> list[tuple[int, object]]:
    """(seq, message) of each decoded uplink, the 8 bits of seq widened as a receiver does
    (docs/lorawan.md): the number in S - 127 .. S + 128 that ends in them, S the last one."""
    out = []
    last = None
    for m in uplinks:
        data = m.payload.get("uplink_message", {}).get("decoded_payload") or {}
        if "seq" not in data:
            continue
        low = data["seq"]
        s = low if last is None else last - 127 + ((low - (last - 127)) & 0xFF)
        out.append((s, m))
        last = s
    return out
