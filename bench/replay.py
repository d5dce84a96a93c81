"""Replay benchmarks: speed and heap of the sample days, where a cycle's time goes, the 30-day
replays (always on across the ticks wrap, and a sleeping node's wakes), and the awake time per
wake of the workshop kit, which decides its battery life."""

import os
import resource
import tempfile
from pathlib import Path

from reallabor.env import TRACES
from reallabor.firmware import console
from reallabor.sim import replay
from reallabor.sim.replay import find_micropython
from reallabor.traces import fileformat, synthetic, tools

from bench.heap import BUDGET_K, board_names, boot_heap, micropython_32, runs_within, smallest_heap_k

MEASURE_K = 512  # the most a day may need for its figures


def bench_replay(name: str, broker) -> None:
    trace = TRACES / name
    probe = replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K")  # also warms the .mpy cache
    cycles = len(probe.states)

    def completes(k: int, romfs: bool = False, micropython: str | None = None) -> bool:
        # twice in a row: how the heap fragments depends on when the broker's answers come, and
        # a budget that one run gets through may see MemoryErrors hours into the next
        if k == MEASURE_K and not romfs and not micropython:
            return runs_within(probe, cycles)
        return all(runs_within(replay.run(trace, broker_url=broker.url, heap=f"{k}K", romfs=romfs,
                                          micropython=micropython), cycles)
                   for _ in range(2))

    k = smallest_heap_k(completes, MEASURE_K)
    # Timed at the budget, as `make demo` and the tests run (a day over it: at what it needs): the
    # heap's size matters, as every collection and the free-heap figure scan all of it.
    heap = f"{max(k or MEASURE_K, BUDGET_K)}K"
    runs = [replay.run(trace, broker_url=broker.url, heap=heap) for _ in range(3)]
    best = min(runs, key=lambda r: r.wall_s)
    hours = best.virtual_ms / 3_600_000
    print(f"replay {name}: {len(best.states)} cycles, {hours:.1f} h virtual in {best.wall_s:.2f} s wall (best of 3, "
          f"-X heapsize {heap}) = speed factor {best.virtual_ms / 1000 / best.wall_s:,.0f}x")
    where_time_goes(trace, broker, len(best.states))
    print(f"  live heap between cycles: {best.heap_peak / 1024:.1f} KiB")
    verdict = "within" if k and k <= BUDGET_K else "OVER"
    print(f"  smallest -X heapsize that completes: {k}K ({verdict} the {BUDGET_K}K budget)" if k
          else f"  does not complete even with {MEASURE_K}K")
    rom_k = smallest_heap_k(lambda k: completes(k, romfs=True), MEASURE_K)
    print(f"  the same with the modules in a ROMFS image (bytecode used in place, MicroPython 1.25+ builds "
          f"with a ROMFS partition): {rom_k}K" if rom_k else f"  with a ROMFS image: does not complete even with {MEASURE_K}K")
    m32 = micropython_32()
    if m32:
        k32 = smallest_heap_k(lambda k: completes(k, micropython=m32), MEASURE_K)
        print(f"  the same on a 32-bit unix build (pointers and GC blocks as on an ESP32), modules on flash: {k32}K"
              if k32 else f"  on a 32-bit unix build: does not complete even with {MEASURE_K}K")
    else:
        print("  on a 32-bit unix build: not measured (no registry has one; make micropython32 builds one)")
    names = board_names(trace, find_micropython())
    print(f"  names a board keeps for good (qstrs; hal.esp32 and the node's modules on the 64-bit unix port, where "
          f"names the ESP32 port has built in, such as WLAN and Pin, count too): {names['n_qstr']} in "
          f"{names['n_pool']} pools, {names['n_total_bytes'] / 1024:.1f} KiB")
    sizes = boot_heap(trace, find_micropython(), m32)
    print("  firmware heap (its modules / after boot): " +
          "; ".join(f"{port} {m / 1024:.1f} / {a / 1024:.1f} KiB" for port, (m, a) in sizes.items()))


def _cpu_s(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def where_time_goes(trace: Path, broker, cycles: int) -> None:
    """One more run with the simulator timing its parts (RL_PROFILE): per cycle, the MicroPython
    process's CPU split into firmware, simulated buses and the Python scheduler the virtual clock
    needs; its real waits for the network; the broker's and this process's (subscriber) CPU."""
    os.environ["RL_PROFILE"] = "1"
    try:
        before = _cpu_s(resource.RUSAGE_CHILDREN), _cpu_s(resource.RUSAGE_SELF), _process_cpu_s(broker.process.pid)
        r = replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K")  # the timing wrappers take heap too
        after = _cpu_s(resource.RUSAGE_CHILDREN), _cpu_s(resource.RUSAGE_SELF), _process_cpu_s(broker.process.pid)
    finally:
        del os.environ["RL_PROFILE"]
    if r.returncode or len(r.states) != cycles:
        print(f"  where a cycle's time goes: the profiled run did not complete ({r.stderr.strip()[-200:]})")
        return
    node_s, host_s, broker_s = (b - a for a, b in zip(before, after))
    ms = {k: v / 1000 / cycles for k, v in r.profile.items()}
    firmware = node_s * 1000 / cycles - ms.get("buses_us", 0) - ms.get("scheduler_us", 0)
    print(f"  where a cycle's time goes (ms, profiled run {r.wall_s * 1000 / cycles:.2f} ms a cycle): "
          f"firmware {firmware:.2f}, simulated buses {ms.get('buses_us', 0):.2f}, "
          f"scheduler {ms.get('scheduler_us', 0):.2f}, waiting for the network {ms.get('wait_us', 0):.2f}; "
          f"broker {broker_s * 1000 / cycles:.2f}, subscriber and replay host {host_s * 1000 / cycles:.2f}")


def bench_month(broker) -> None:
    """30 days: an always-on node (one reading every 10 min, across the ticks wrap at 12.4 days, in
    one process) and a sleeping node (one wake an hour, a process per wake)."""
    with tempfile.TemporaryDirectory(prefix="reallabor-month-") as tmp:
        for label, every_min, extra in (("always on", 10, {}), ("deep sleep", 60, {"deep_sleep": True})):
            trace = synthetic.courtyard_days(Path(tmp) / f"{every_min}.jsonl", days=30, every_min=every_min)
            config = {**fileformat.default_config(fileformat.load(trace).header), **extra}
            r = replay.run(trace, broker_url=broker.url, config=config)
            seqs = [m.payload["seq"] for m in r.states]
            whole = r.returncode == 0 and seqs == list(range(len(seqs))) and len(seqs) == 30 * 24 * 60 // every_min
            print(f"replay 30 days {label}: {len(seqs)} readings in {r.boots} boot(s), {r.wall_s:.1f} s wall, "
                  f"{'every reading in order' if whole else 'READINGS MISSING OR OUT OF ORDER'}")


def bench_awake(broker) -> None:
    """The workshop kit asleep between readings: how long each wake keeps it awake (its slow
    sensors warm up first), in virtual time, over six hours of wakes every 5 min."""
    trace = TRACES / "makerspace-24h-kit.jsonl"
    config = {**fileformat.default_config(fileformat.load(trace).header), "deep_sleep": True, "interval_s": 300}
    with tempfile.TemporaryDirectory(prefix="reallabor-awake-") as tmp:
        cut = Path(tmp) / "kit-6h.jsonl"
        fileformat.write(cut, *tools.cut(trace, 7 * 3_600_000, 13 * 3_600_000))
        r = replay.run(cut, broker_url=broker.url, config=config)
    awake = [e.uptime_ms for e in map(console.parse, r.console) if e and console.sim_restart(e.text)]
    if not awake:
        print(f"kit asleep between readings: no wake ended in a deep sleep ({r.stderr.strip()[-200:]})")
        return
    awake.sort()
    print(f"kit asleep between readings (5 min): awake per wake median {awake[len(awake) // 2] / 1000:.1f} s, "
          f"longest {awake[-1] / 1000:.1f} s over {len(awake)} wakes "
          f"({sum(awake) / len(awake) / 3000:.1f} % of the time awake)")
