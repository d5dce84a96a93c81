"""The fault scenarios of `reallabor faults` (and `make faults`): each is the courtyard trace cut
to a length, with fault events merged in, replayed against a real Mosquitto; the count compares
what the node sampled with what a QoS 1 subscriber received."""

import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.env import TRACES
from reallabor.i18n import msg
from reallabor.sim import replay

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
BASE_TRACE = TRACES / "courtyard-24h-bme280.jsonl"


@dataclass
class Scenario:
    name: str
    hours: float
    faults: list[dict]
    config: dict = field(default_factory=dict)  # overrides of the replay config


def standard_scenarios(quick: bool = False) -> list[Scenario]:
    """The fault script of `make faults`; quick: shorter versions for the test suite."""
    rng = random.Random(1)
    outage = 10 * MINUTE_MS if quick else HOUR_MS
    power_hours, power_count = (2, 8) if quick else (24, 100)
    losses = sorted(rng.randrange(MINUTE_MS, power_hours * HOUR_MS - 10 * MINUTE_MS) for _ in range(power_count))
    out = [
        Scenario("broker restart", 1 if quick else 2,
                 [{"t": 20 * MINUTE_MS + 7_000, "fault": "broker_stop"}, {"t": 25 * MINUTE_MS, "fault": "broker_start"}]),
        Scenario("network outage 1 h", 1.5 if quick else 3,
                 [{"t": outage, "fault": "network_down"}, {"t": outage + HOUR_MS, "fault": "network_up"}]),
    ]
    for packet in ("CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"):
        # PUBLISH and PUBACK are cut twice: on a state message and on the retained status
        times = [10 * MINUTE_MS, 20 * MINUTE_MS + 30_000] if packet in ("PUBLISH", "PUBACK", "PINGREQ", "PINGRESP") else [10 * MINUTE_MS]
        out.append(Scenario(f"cut at {packet}", 0.5,
                            [{"t": t, "fault": "cut", "packet": packet} for t in times]
                            + ([{"t": 15 * MINUTE_MS, "fault": "broker_stop"}, {"t": 16 * MINUTE_MS, "fault": "broker_start"}]
                               if packet in ("CONNECT", "CONNACK") else []),
                            {"mqtt": {"keepalive_s": 25}}))
    out.append(Scenario(f"{power_count} power losses in {power_hours} h", power_hours,
                        [{"t": t, "fault": "power_loss", "off_ms": rng.randrange(1_000, 5 * MINUTE_MS)} for t in losses]))
    down = 1 if quick else 6
    out.append(Scenario(f"broker down {down} h at boot", down + 1,
                        [{"t": 0, "fault": "broker_stop"}, {"t": down * HOUR_MS, "fault": "broker_start"}]))
    out.append(Scenario("deep sleep, network outage 1 h", 1.5 if quick else 3,
                        [{"t": 10 * MINUTE_MS, "fault": "network_down"}, {"t": 70 * MINUTE_MS, "fault": "network_up"}],
                        {"deep_sleep": True, "send_window_s": 10}))
    out.append(Scenario("flash full 20 min", 1,
                        [{"t": 20 * MINUTE_MS, "fault": "flash_full"}, {"t": 40 * MINUTE_MS, "fault": "flash_free"}]))
    return out


def write_trace(scenario: Scenario, path: Path, base: Path = BASE_TRACE) -> Path:
    """The base trace cut to the scenario's length, with its fault events merged in by time."""
    end = int(scenario.hours * HOUR_MS)
    with base.open(encoding="utf-8") as f:
        header = json.loads(f.readline())
        records = [json.loads(line) for line in f if line.strip()]
    header["end_ms"] = end
    header["description"] = f"fault scenario: {scenario.name} (on {base.name})"
    records = [r for r in records if r["t"] <= end] + scenario.faults
    records.sort(key=lambda r: r["t"])  # stable: bus records before faults at the same time
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


@dataclass
class Count:
    sampled: int = 0
    delivered: int = 0  # distinct sequence numbers that reached the subscriber
    lost: int = 0  # sampled, never delivered
    copies: int = 0  # extra copies, removed by de-duplication on seq
    duplicates: int = 0  # sequence numbers delivered with different contents: left after de-duplication
    boots: int = 0
    cuts: int = 0  # connections the proxy cut
    heap_peak: int = 0
    crashed: bool = False

    def add(self, other: "Count") -> None:
        for name in ("sampled", "delivered", "lost", "copies", "duplicates", "boots", "cuts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.heap_peak = max(self.heap_peak, other.heap_peak)
        self.crashed |= other.crashed


def count(result) -> Count:
    """Sampled readings (console 'sample seq=N') against what a QoS 1 subscriber received."""
    payloads: dict[int, set] = {}
    received = 0
    for m in result.states:
        if isinstance(m.payload, dict) and "seq" in m.payload:
            payloads.setdefault(m.payload["seq"], set()).add(m.raw)
            received += 1
    sampled = set(result.sampled)
    return Count(
        sampled=len(sampled),
        delivered=len(payloads),
        lost=len(sampled - payloads.keys()),
        copies=received - len(payloads),
        duplicates=sum(len(p) - 1 for p in payloads.values()),
        boots=result.boots,
        cuts=len(result.cuts),
        heap_peak=result.heap_peak or 0,
        crashed=result.returncode != 0,
    )


@dataclass(frozen=True)
class Transport:
    """The delivery code a scenario runs with: ours, or another entry point for comparison (a
    main.py and the directories it needs on the module path)."""

    name: str
    main: Path | None = None
    extra_path: tuple = ()


OURS = Transport("reallabor")


def run_scenario(scenario: Scenario, transport: Transport = OURS, heap: str = "128K") -> Count:
    with tempfile.TemporaryDirectory(prefix="reallabor-fault-") as tmp:
        path = write_trace(scenario, Path(tmp) / "trace.jsonl")
        config = {"site": "faults", "interval_s": 60, "sensors": [{"type": "bme280", "bus": "i2c0", "addr": 118}]}
        for key, value in scenario.config.items():
            config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
        result = replay.run(path, heap=heap, config=config, main=transport.main, extra_path=list(transport.extra_path))
    return count(result)


def run_all(scenarios: list[Scenario], transports: list[Transport], heap: str = "128K", on_row=None) -> dict:
    """-> {transport name: {scenario name: Count}} plus a "total" entry per transport."""
    table = {t.name: {} for t in transports}
    for scenario in scenarios:
        for t in transports:
            table[t.name][scenario.name] = run_scenario(scenario, t, heap)
        if on_row:
            on_row(scenario, {t.name: table[t.name][scenario.name] for t in transports})
    transports = [t.name for t in transports]
    for t in transports:
        total = Count()
        for c in table[t].values():
            total.add(c)
        table[t]["total"] = total
    return table


def print_table(scenarios: list[Scenario], transports: list[Transport], heap: str = "128K") -> dict:
    """Runs the scenarios and prints one row each as it finishes, then the totals; -> run_all's table."""
    width = max(len(s.name) for s in scenarios) + 2

    def cells(c: Count) -> str:
        text = f"{c.sampled:6} {c.delivered:6} {c.lost:6} {c.duplicates:4}"
        return f"{text + (' ' + msg('faults.crashed') if c.crashed else ''):<28}"

    print(msg("faults.header"))
    print(" " * width + " | ".join(f"{t.name:<28}" for t in transports))

    def row(name: str, counts: dict) -> None:
        print(f"{name:<{width}}" + " | ".join(cells(counts[t.name]) for t in transports), flush=True)

    table = run_all(scenarios, transports, heap, on_row=lambda s, counts: row(s.name, counts))
    names = [t.name for t in transports]
    row(msg("faults.total"), {t: table[t]["total"] for t in names})
    for t in names:
        print(msg("faults.heap", transport=t, peak=f"{table[t]['total'].heap_peak / 1024:.1f}"))
    return table
