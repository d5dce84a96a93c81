"""What capture costs (`make bench`): the courtyard day replayed with capture off, to the console
and to flash. The sampling schedule is compared where it shows, in virtual time: the tick of every
reading stored and of every state message sent (how far capture moves them: writes to flash block,
as on the board), and the messages themselves (node.heap_free left out); then the host time each
recorded transaction takes on this machine, and the heap: the live peak between cycles and the
smallest -X heapsize that completes the day."""

import json

from reallabor.env import TRACES
from reallabor.firmware import console
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.sim import replay
from reallabor.traces import fileformat

from bench.heap import BUDGET_K, runs_within, smallest_heap_k
from bench.replay import MEASURE_K

TRACE = "courtyard-24h-bme280.jsonl"
MODES = {"off": None, "console": {"to": "console"}, "flash": {"to": "flash", "flash_kb": 4096, "chunk_kb": 64}}


def schedule(result) -> list:
    """(virtual ms, what) of every reading stored and every message sent, and each state message
    without its free heap: what the sampling did, and when."""
    times = []
    for line in result.console:
        entry = console.parse(line)
        if entry and (console.sampled(entry.text) is not None or console.published(entry.text)):
            times.append((entry.uptime_ms, entry.text.split()[0]))
    bodies = []
    for m in result.states:
        body = json.loads(m.raw)
        body["node"].pop("heap_free")
        bodies.append(body)
    return [times, bodies]


def compared(got: list, off: list) -> str:
    """The messages the same or not, and how far the readings and messages moved in virtual time."""
    (times, bodies), (off_times, off_bodies) = got, off
    text = "the same messages" if bodies == off_bodies else "DIFFERENT messages"
    if [what for _, what in times] != [what for _, what in off_times]:
        return text + ", readings and messages in a DIFFERENT order"
    shift = max((abs(a - b) for (a, _), (b, _) in zip(times, off_times)), default=0)
    return text + (", at the same ticks" if not shift else f", readings and messages moved by up to {shift} ms")


def frames(result) -> int:
    n = 0
    for line in result.console:
        try:
            f = console.frame(line)
        except console.DamagedFrame:
            continue
        n += f is not None and f.kind in "iu"
    return n


def bench_capture() -> None:
    trace = TRACES / TRACE
    summary = fileformat.load(trace)
    base = fileformat.default_config(summary.header)
    with Mosquitto() as broker:
        runs = {}
        for mode, settings in MODES.items():
            config = dict(base, capture=settings) if settings else dict(base)
            replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K", config=dict(config))  # warm up
            best = min((replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K", config=dict(config))
                        for _ in range(3)), key=lambda r: r.wall_s)
            runs[mode] = (config, best)
        off = runs["off"][1]
        transactions = frames(runs["console"][1])
        print(f"capture, {TRACE}: {len(off.states)} cycles, {transactions} bus transactions recorded")
        for mode, (config, r) in runs.items():
            same = compared(schedule(r), schedule(off))
            extra = (r.wall_s - off.wall_s) / transactions * 1e6 if mode != "off" and transactions else 0
            cycles = len(off.states)

            def completes(k: int, config=config) -> bool:
                return runs_within(replay.run(trace, broker_url=broker.url, heap=f"{k}K", config=dict(config)), cycles)

            k = smallest_heap_k(completes, MEASURE_K)
            heap = f"{k}K ({'within' if k and k <= BUDGET_K else 'OVER'} the {BUDGET_K}K budget)" if k else "-"
            print(f"  {mode:8} {same} as without capture; {r.wall_s:.2f} s wall"
                  + (f" (+{extra:.0f} us a transaction on this machine)" if mode != "off" else "")
                  + f"; live heap {r.heap_peak / 1024:.1f} KiB; smallest heap {heap}")
