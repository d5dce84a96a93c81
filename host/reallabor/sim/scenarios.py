"""The fault scenarios of `reallabor faults` (and `make faults`): each is the courtyard trace cut
to a length, with fault events merged in, replayed against a real Mosquitto; the count compares
what the node sampled with what a QoS 1 subscriber received. The LoRa scenarios run the LoRa
courtyard day through the simulated gateway and network server (sim/lorareplay.py) and also count
frame counters and DevNonces used again, and the airtime against the fair-use budget."""

import collections
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.env import TRACES
from reallabor.firmware import console
from reallabor.i18n import msg
from reallabor.sim import lorareplay, replay
from reallabor.traces.synthetic import LORA_INTERVAL_MS, LORA_SAMPLE_KEYS

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
BASE_TRACE = TRACES / "courtyard-24h-bme280.jsonl"
LORA_TRACE = TRACES / "courtyard-24h-lora.jsonl"


@dataclass
class Scenario:
    name: str
    hours: float
    faults: list[dict]
    config: dict = field(default_factory=dict)  # overrides of the replay config
    lora: bool = False  # a LoRa node on LORA_TRACE
    may_lose: bool = False  # losses are what this setup cannot avoid (unconfirmed uplinks nobody heard)


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
    out += combined_scenarios()
    return out


def _at(minutes: float) -> int:
    return int(minutes * MINUTE_MS)


def combined_scenarios() -> list[Scenario]:
    """Fault kinds in one trace, each meeting what another left behind: readings sent from RAM
    while the flash is full, then a power loss (the next boot must not use their numbers again);
    a power-up on a full flash (readings wait in RAM, unsent, until the flash takes them); a
    backlog on flash through a power loss while the broker is down; a full flash and a network
    outage at once. The deep-sleep node carries its numbers over the wake-ups in RTC memory."""
    always_on = [
        (10, "flash_full"), (13.5, "broker_stop"), (15.5, "broker_start"),
        (19.5, "power_loss", 60_000), (23, "flash_free"),
        (30, "broker_stop"), (36.5, "power_loss", 30_000), (42, "broker_start"),
        (48, "flash_full"), (50.5, "network_down"), (52.5, "network_up"), (55, "flash_free"),
    ]
    sleeping = [
        (5.5, "flash_full"), (12.5, "flash_free"), (15.5, "power_loss", 20_000),
        (25, "network_down"), (35, "network_up"),
        (40.5, "flash_full"), (44, "flash_free"), (45.5, "broker_stop"), (47.5, "broker_start"),
        (50.5, "power_loss", 30_000),
    ]

    def events(script):
        return [{"t": _at(e[0]), "fault": e[1], **({"off_ms": e[2]} if len(e) > 2 else {})} for e in script]

    return [
        Scenario("flash full + broker restart + power loss", 1, events(always_on)),
        Scenario("deep sleep: flash full + power loss + network outage", 1, events(sleeping),
                 {"deep_sleep": True, "send_window_s": 10}),
    ]


def lora_scenarios(quick: bool = False) -> list[Scenario]:
    """The LoRa fault script: lost join-accepts, lost downlinks and ACKs, the gateway down for an
    hour (unconfirmed: what was sent meanwhile is lost; confirmed: it waits), a backlog paced by the
    duty cycle, power losses. Confirmed uplinks run without the fair-use limit: The Things Network
    allows 10 downlinks (ACKs) a day, fewer than a reading every 5 minutes needs."""
    rng = random.Random(2)
    confirmed = {"lora": {"confirmed": True, "fair_use": False}}
    power_hours, power_count = (3, 8) if quick else (24, 100)
    losses = sorted(rng.randrange(MINUTE_MS, power_hours * HOUR_MS - 10 * MINUTE_MS) for _ in range(power_count))
    down = 30 * MINUTE_MS
    return [
        Scenario("LoRa: 3 join-accepts lost", 1 if quick else 2, [{"t": 0, "fault": "downlinks_lost", "count": 3}],
                 lora=True),
        Scenario("LoRa: downlinks and ACKs lost (confirmed)", 2 if quick else 4,
                 [{"t": down, "fault": "downlinks_lost", "count": 5}], confirmed, lora=True),
        Scenario("LoRa: gateway down 1 h (unconfirmed)", 2 if quick else 3,
                 [{"t": down, "fault": "gateway_down"}, {"t": down + HOUR_MS, "fault": "gateway_up"}], lora=True,
                 may_lose=True),
        Scenario("LoRa: gateway down 1 h (confirmed)", 2 if quick else 3,
                 [{"t": down, "fault": "gateway_down"}, {"t": down + HOUR_MS, "fault": "gateway_up"}], confirmed,
                 lora=True),
        Scenario("LoRa: backlog of 2 h at SF9, paced by the duty cycle", 3 if quick else 4,
                 [{"t": 0, "fault": "gateway_down"}, {"t": 2 * HOUR_MS, "fault": "gateway_up"}],
                 {"lora": {"dr": 3, "adr": False, "fair_use": False}}, lora=True),
        Scenario(f"LoRa: {power_count} power losses in {power_hours} h", power_hours,
                 [{"t": t, "fault": "power_loss", "off_ms": rng.randrange(1_000, 5 * MINUTE_MS)} for t in losses],
                 lora=True),
    ]


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
    crash: str = ""  # a crashed run's last line on stderr: what to look at first
    # LoRa nodes
    queued: int = 0  # sampled, still in the outbox at the end (sent later, not lost)
    fcnt_reused: int = 0  # uplinks the network server refused: a frame counter used before
    nonces_reused: int = 0  # join-requests refused: a DevNonce not above the last (1.0.4)
    airtime_s: float = 0.0  # the most uplink airtime in any 24 h
    downlinks: int = 0  # the most downlinks in any 24 h
    expected_loss: int = 0  # losses the scenario cannot avoid (may_lose)

    def add(self, other: "Count") -> None:
        for name in ("sampled", "delivered", "lost", "copies", "duplicates", "boots", "cuts", "queued", "fcnt_reused",
                     "nonces_reused", "expected_loss"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.heap_peak = max(self.heap_peak, other.heap_peak)
        self.airtime_s = max(self.airtime_s, other.airtime_s)
        self.downlinks = max(self.downlinks, other.downlinks)
        self.crashed |= other.crashed


def count(result) -> Count:
    """Readings against what a QoS 1 subscriber received, de-duplicated on seq. A reading counts as
    sampled once its 'sample seq=N' line came, or once it was delivered or is still in the outbox
    at the end (a power cut can fall between the flash write and the line). A number on two
    'sample' lines, or delivered with two contents, carried two readings: de-duplication keeps one
    of them, so the other is lost (and counted among the duplicates if it reached the subscriber)."""
    payloads: dict[int, set] = {}
    received = 0
    for m in result.states:
        if isinstance(m.payload, dict) and "seq" in m.payload:
            payloads.setdefault(m.payload["seq"], set()).add(m.raw)
            received += 1
    lines = collections.Counter(result.sampled)
    queued = set(result.queued) - payloads.keys()
    sampled = _readings(lines, payloads, queued)
    return Count(
        sampled=sampled,
        delivered=len(payloads),
        lost=sampled - len(payloads) - len(queued),
        copies=received - len(payloads),
        duplicates=sum(len(p) - 1 for p in payloads.values()),
        boots=result.boots,
        cuts=len(result.cuts),
        heap_peak=result.heap_peak or 0,
        crashed=result.returncode != 0,
        crash=_crash(result),
        queued=len(queued),
    )


def _crash(result) -> str:
    """A crashed run's last line on stderr, or "" for a run that completed."""
    lines = result.stderr.strip().splitlines() if result.returncode else []
    return lines[-1].strip() if lines else ""


def _crashes(table: dict) -> None:
    """Under a table: why each crashed run stopped, so that a rare crash can be looked into."""
    for transport, counts in table.items():
        for scenario, c in counts.items():
            if scenario != "total" and c.crashed:
                print(msg("faults.crash", transport=transport, scenario=scenario, text=c.crash or "-"))


def _readings(lines: collections.Counter, payloads: dict[int, set], queued: set) -> int:
    """How many readings the node took: per seq the most of its 'sample' lines and its delivered
    contents, and one for a seq known only from the outbox."""
    return sum(max(lines[seq], len(payloads.get(seq, ())), 1) for seq in lines.keys() | payloads.keys() | queued)


def lora_count(result) -> Count:
    """A LoRa node's readings against the uplinks the network server published, de-duplicated on
    seq (widened from the payload's 8 bits), counted as count() does; what the node still had
    queued at the end (in its outbox, or 'lora queued from seq=N') is not lost."""
    payloads: dict[int, set] = {}
    seqs = lorareplay.full_seqs(result.uplinks)
    for seq, m in seqs:
        payloads.setdefault(seq, set()).add(m.payload["uplink_message"]["frm_payload"])
    lines = collections.Counter(result.sampled)
    queued_from = None
    for line in result.console:
        entry = console.parse(line)
        if entry and console.lora_queued(entry.text) is not None:
            queued_from = console.lora_queued(entry.text)
    queued = {s for s in lines if queued_from is not None and s >= queued_from} | set(result.queued)
    queued -= payloads.keys()
    sampled = _readings(lines, payloads, queued)
    stats = result.lorawan.server.stats
    air = lorareplay.airtime(result.lorawan.frames, result.virtual_ms)
    return Count(
        sampled=sampled, delivered=len(payloads), lost=sampled - len(payloads) - len(queued),
        copies=len(seqs) - len(payloads), duplicates=sum(len(p) - 1 for p in payloads.values()), boots=result.boots,
        heap_peak=result.heap_peak or 0, crashed=result.returncode != 0, crash=_crash(result), queued=len(queued),
        fcnt_reused=stats.fcnt_reused, nonces_reused=stats.dev_nonce_refused, airtime_s=air.worst_airtime_s,
        downlinks=air.worst_downlinks,
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
        path = write_trace(scenario, Path(tmp) / "trace.jsonl", LORA_TRACE if scenario.lora else BASE_TRACE)
        config = {"site": "faults", "interval_s": 60, "sensors": [{"type": "bme280", "bus": "i2c0", "addr": 118}]}
        if scenario.lora:
            config.update(interval_s=LORA_INTERVAL_MS // 1000, lora=dict(LORA_SAMPLE_KEYS))
        for key, value in scenario.config.items():
            config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
        result = replay.run(path, heap=heap, config=config, main=transport.main, extra_path=list(transport.extra_path))
    if not scenario.lora:
        return count(result)
    c = lora_count(result)
    if scenario.may_lose:
        c.expected_loss = c.lost
    return c


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
        text = f"{c.sampled:6} {c.delivered:6} {c.lost:6} {c.queued:5} {c.duplicates:4}"
        return f"{text + (' ' + msg('faults.crashed') if c.crashed else ''):<34}"

    print(msg("faults.header"))
    print(" " * width + " | ".join(f"{t.name:<34}" for t in transports))

    def row(name: str, counts: dict) -> None:
        print(f"{name:<{width}}" + " | ".join(cells(counts[t.name]) for t in transports), flush=True)

    table = run_all(scenarios, transports, heap, on_row=lambda s, counts: row(s.name, counts))
    names = [t.name for t in transports]
    row(msg("faults.total"), {t: table[t]["total"] for t in names})
    _crashes(table)
    for t in names:
        print(msg("faults.heap", transport=t, peak=f"{table[t]['total'].heap_peak / 1024:.1f}"))
    return table


def lora_failures(scenario: Scenario, c: Count) -> list[str]:
    """What a LoRa scenario must not show: readings lost (unless the setup cannot avoid it),
    duplicates, a frame counter or DevNonce used again, a crash, the fair-use budget exceeded (when
    the node keeps it)."""
    fair_use = scenario.config.get("lora", {}).get("fair_use", True)
    checks = [("lost", c.lost - c.expected_loss), ("duplicates", c.duplicates), ("fcnt_reused", c.fcnt_reused),
              ("nonces_reused", c.nonces_reused), ("crashed", int(c.crashed))]
    if fair_use:
        checks += [("airtime_s", c.airtime_s > lorareplay.FAIR_USE_AIRTIME_S),
                   ("downlinks", c.downlinks > lorareplay.FAIR_USE_DOWNLINKS)]
    return [name for name, bad in checks if bad]


def print_lora_table(scenarios: list[Scenario], transports: list[Transport], heap: str = "128K") -> dict:
    """The LoRa scenarios, one row each as it finishes: readings sampled, delivered, lost, still
    queued, duplicates after de-duplication, frame counters and DevNonces used again (both must be
    0), the worst 24 h's airtime and downlinks against the fair-use budget."""
    width = max(len(s.name) for s in scenarios) + 2

    def cells(c: Count) -> str:
        text = (f"{c.sampled:5} {c.delivered:5} {c.lost:5} {c.queued:5} {c.duplicates:4} {c.fcnt_reused:5} "
                f"{c.nonces_reused:5} {c.airtime_s:5.1f} {c.downlinks:3}")
        return f"{text + (' ' + msg('faults.crashed') if c.crashed else ''):<52}"

    print(msg("faults.lora_header", budget=f"{lorareplay.FAIR_USE_AIRTIME_S:.0f}",
              downlinks=lorareplay.FAIR_USE_DOWNLINKS))
    print(" " * width + " | ".join(f"{t.name:<52}" for t in transports))

    def row(name: str, counts: dict) -> None:
        print(f"{name:<{width}}" + " | ".join(cells(counts[t.name]) for t in transports), flush=True)

    table = run_all(scenarios, transports, heap, on_row=lambda s, counts: row(s.name, counts))
    row(msg("faults.total"), {t.name: table[t.name]["total"] for t in transports})
    _crashes(table)
    return table
