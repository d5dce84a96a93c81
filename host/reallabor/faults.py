"""Fault scripts: the host's part of a trace's fault events (FaultDriver), the standard scenarios
of `make faults`, and the count of what reached the broker, for our transport and, side by side,
for umqtt.simple (micropython-lib's MQTT client) the way typical firmware uses it."""

import hashlib
import io
import json
import os
import random
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.errors import EXIT_FAILED, EXIT_MISSING_TOOL, ReallaborError
from reallabor.paths import TRACES

HOUR = 3_600_000
MINUTE = 60_000
BASE_TRACE = TRACES / "courtyard-24h-bme280.jsonl"
BASELINE_DIR = Path(__file__).parent / "baseline"


class FaultDriver:
    """Carries out broker and proxy faults when the firmware reaches them (fire) or while the
    board is off (advance). Power and flash faults are the simulated board's own."""

    HOST = ("network_down", "network_up", "broker_stop", "broker_start", "cut")

    def __init__(self, faults: list[dict], broker, proxy, subscriber):
        self.faults = faults
        self.broker = broker
        self.proxy = proxy
        self.subscriber = subscriber
        self.done: set[int] = set()

    def off_ms(self, index: int) -> int:
        return self.faults[index]["off_ms"]

    def advance(self, to_ms: int) -> None:
        """Faults up to a boot at to_ms (inclusive), which the board will not see itself."""
        for i, f in enumerate(self.faults):
            if f["t"] <= to_ms and i not in self.done:
                self.fire(i)

    def fire(self, index: int) -> None:
        if index in self.done:
            return
        self.done.add(index)
        f = self.faults[index]
        kind = f["fault"]
        if kind in ("network_down", "network_up"):
            self.proxy.set_network(kind == "network_up")
        elif kind == "cut":
            self.proxy.cut(f["packet"])
        elif kind == "broker_stop":
            self.subscriber.sync()  # what the broker accepted reaches us before it goes down
            self.broker.stop()
            self.subscriber.wait_disconnected(10)
        elif kind == "broker_start":
            self.broker.start()
            if not self.subscriber.wait_subscribed(10):
                raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.broker.url, error="no SUBACK")


@dataclass
class Scenario:
    name: str
    hours: float
    faults: list[dict]
    config: dict = field(default_factory=dict)  # overrides of the replay config


def standard_scenarios(quick: bool = False) -> list[Scenario]:
    """The fault script of `make faults`; quick: shorter versions for the test suite."""
    rng = random.Random(1)
    outage = 10 * MINUTE if quick else HOUR
    power_hours, power_count = (2, 8) if quick else (24, 100)
    losses = sorted(rng.randrange(MINUTE, power_hours * HOUR - 10 * MINUTE) for _ in range(power_count))
    out = [
        Scenario("broker restart", 1 if quick else 2,
                 [{"t": 20 * MINUTE + 7_000, "fault": "broker_stop"}, {"t": 25 * MINUTE, "fault": "broker_start"}]),
        Scenario("network outage 1 h", 1.5 if quick else 3,
                 [{"t": outage, "fault": "network_down"}, {"t": outage + HOUR, "fault": "network_up"}]),
    ]
    for packet in ("CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"):
        # PUBLISH and PUBACK are cut twice: on a state message and on the retained status
        times = [10 * MINUTE, 20 * MINUTE + 30_000] if packet in ("PUBLISH", "PUBACK", "PINGREQ", "PINGRESP") else [10 * MINUTE]
        out.append(Scenario(f"cut at {packet}", 0.5,
                            [{"t": t, "fault": "cut", "packet": packet} for t in times]
                            + ([{"t": 15 * MINUTE, "fault": "broker_stop"}, {"t": 16 * MINUTE, "fault": "broker_start"}]
                               if packet in ("CONNECT", "CONNACK") else []),
                            {"mqtt": {"keepalive_s": 25}}))
    out.append(Scenario(f"{power_count} power losses in {power_hours} h", power_hours,
                        [{"t": t, "fault": "power_loss", "off_ms": rng.randrange(1_000, 5 * MINUTE)} for t in losses]))
    down = 1 if quick else 6
    out.append(Scenario(f"broker down {down} h at boot", down + 1,
                        [{"t": 0, "fault": "broker_stop"}, {"t": down * HOUR, "fault": "broker_start"}]))
    out.append(Scenario("deep sleep, network outage 1 h", 1.5 if quick else 3,
                        [{"t": 10 * MINUTE, "fault": "network_down"}, {"t": 70 * MINUTE, "fault": "network_up"}],
                        {"deep_sleep": True, "send_window_s": 10}))
    out.append(Scenario("flash full 20 min", 1,
                        [{"t": 20 * MINUTE, "fault": "flash_full"}, {"t": 40 * MINUTE, "fault": "flash_free"}]))
    return out


def write_trace(scenario: Scenario, path: Path, base: Path = BASE_TRACE) -> Path:
    """The base trace cut to the scenario's length, with its fault events merged in by time."""
    end = int(scenario.hours * HOUR)
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


def run_scenario(scenario: Scenario, transport: str = "reallabor", heap: str = "128K") -> Count:
    from reallabor import replay

    with tempfile.TemporaryDirectory(prefix="reallabor-fault-") as tmp:
        path = write_trace(scenario, Path(tmp) / "trace.jsonl")
        config = {"site": "faults", "interval_s": 60, "sensors": [{"type": "bme280", "bus": "i2c0", "addr": 118}]}
        for key, value in scenario.config.items():
            config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
        extra = {}
        if transport == "umqtt.simple":
            extra = {"main": BASELINE_DIR / "main_umqtt.py", "extra_path": [umqtt_simple(), BASELINE_DIR]}
        result = replay.run(path, heap=heap, config=config, **extra)
    return count(result)


# umqtt.simple 1.3.4 from PyPI. Its sdist has no setup.py, so pip cannot install it; the file is
# fetched from PyPI's file host by its pinned digest and only its umqtt/simple.py is used.
UMQTT_URL = ("https://files.pythonhosted.org/packages/bd/cf/697e3418b2f44222b3e848078b1e33ee76aedca9b6c2430ca1b1aec1ce1d/"
             "micropython-umqtt.simple-1.3.4.tar.gz")
UMQTT_SHA256 = "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f"


def umqtt_simple() -> Path:
    """A directory holding umqtt/simple.py for the simulator's module path (cached)."""
    dest = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reallabor" / "umqtt-simple-1.3.4"
    target = dest / "umqtt" / "simple.py"
    if target.exists():
        return dest
    try:
        with urllib.request.urlopen(UMQTT_URL, timeout=30) as response:
            data = response.read()
    except OSError as e:
        raise ReallaborError("faults.umqtt_download", EXIT_MISSING_TOOL, error=e)
    if hashlib.sha256(data).hexdigest() != UMQTT_SHA256:
        raise ReallaborError("faults.umqtt_digest", EXIT_FAILED)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("umqtt/simple.py"))
        source = tar.extractfile(member).read()
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.parent / "__init__.py").write_text("")
    target.write_bytes(source)
    return dest


def run_all(scenarios: list[Scenario], transports: list[str], heap: str = "128K", on_row=None) -> dict:
    """-> {transport: {scenario name: Count}} plus a "total" entry per transport."""
    table = {t: {} for t in transports}
    for scenario in scenarios:
        for t in transports:
            table[t][scenario.name] = run_scenario(scenario, t, heap)
        if on_row:
            on_row(scenario, {t: table[t][scenario.name] for t in transports})
    for t in transports:
        total = Count()
        for c in table[t].values():
            total.add(c)
        table[t]["total"] = total
    return table


def print_table(scenarios: list[Scenario], transports: list[str], heap: str = "128K") -> dict:
    """Runs the scenarios and prints one row each as it finishes, then the totals; -> run_all's table."""
    from reallabor.i18n import msg

    width = max(len(s.name) for s in scenarios) + 2

    def cells(c: Count) -> str:
        text = f"{c.sampled:6} {c.delivered:6} {c.lost:6} {c.duplicates:4}"
        return f"{text + (' ' + msg('faults.crashed') if c.crashed else ''):<28}"

    print(msg("faults.header"))
    print(" " * width + " | ".join(f"{t:<28}" for t in transports))

    def row(name: str, counts: dict) -> None:
        print(f"{name:<{width}}" + " | ".join(cells(counts[t]) for t in transports), flush=True)

    table = run_all(scenarios, transports, heap, on_row=lambda s, counts: row(s.name, counts))
    row(msg("faults.total"), {t: table[t]["total"] for t in transports})
    for t in transports:
        print(msg("faults.heap", transport=t, peak=f"{table[t]['total'].heap_peak / 1024:.1f}"))
    return table
