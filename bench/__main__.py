"""`make bench`: figures, not pass/fail. Each benchmark prints what it measured. Benchmarks and
the comparison baselines live here, outside the installed reallabor package."""

from reallabor.env import TRACES
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.sim import replay

STEP_K = 4
BUDGET_K = 128


MEASURE_K = 512  # timing runs get room to spare, so a heap over budget still gives its figures


def smallest_heap_k(completes, upper_k: int) -> int | None:
    """Smallest -X heapsize (multiple of 4K) for which completes(k) holds; None if not even at
    upper_k. Bisection: a run completes or fails monotonically in the heap size."""
    if not completes(upper_k):
        return None
    lo, hi = 0, upper_k // STEP_K  # in steps: lo fails (0 bytes), hi completes
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if completes(mid * STEP_K):
            hi = mid
        else:
            lo = mid
    return hi * STEP_K


def runs_within(result, cycles: int) -> bool:
    """The day ran as with room to spare: every reading arrived and the heap never ran out (a node
    that survives a MemoryError by trying again later is not within its budget)."""
    seqs = {m.payload["seq"] for m in result.states if isinstance(m.payload, dict)}
    return (result.returncode == 0 and seqs == set(range(cycles))
            and not any("MemoryError" in w for w in result.warnings))


def bench_replay(name: str) -> None:
    trace = TRACES / name
    with Mosquitto() as broker:
        replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K")  # warm the .mpy cache
        runs = [replay.run(trace, broker_url=broker.url, heap=f"{MEASURE_K}K") for _ in range(3)]
        best = min(runs, key=lambda r: r.wall_s)
        hours = best.virtual_ms / 3_600_000
        print(f"replay {name}: {len(best.states)} cycles, {hours:.1f} h virtual in {best.wall_s:.2f} s wall "
              f"(best of 3) = speed factor {best.virtual_ms / 1000 / best.wall_s:,.0f}x")
        print(f"  live heap between cycles: {best.heap_peak / 1024:.1f} KiB")
        cycles = len(best.states)

        def completes(k: int) -> bool:
            return runs_within(replay.run(trace, broker_url=broker.url, heap=f"{k}K"), cycles)

        k = smallest_heap_k(completes, MEASURE_K)
        verdict = "within" if k and k <= BUDGET_K else "OVER"
        print(f"  smallest -X heapsize that completes: {k}K ({verdict} the {BUDGET_K}K budget)" if k
              else f"  does not complete even with {MEASURE_K}K")


def smallest_fault_heap_k() -> int | None:
    """Smallest -X heapsize at which every quick fault scenario of ours still loses nothing."""
    from reallabor.sim import scenarios

    quick = scenarios.standard_scenarios(quick=True)

    def completes(k: int) -> bool:
        for s in quick:
            c = scenarios.run_scenario(s, heap=f"{k}K")
            if c.crashed or c.lost or c.duplicates:
                return False
        return True

    return smallest_heap_k(completes, BUDGET_K)


def bench_faults() -> None:
    k = smallest_fault_heap_k()
    print(f"fault scenarios (quick): smallest -X heapsize with nothing lost: {k}K" if k else
          f"fault scenarios: do NOT pass within {BUDGET_K}K")


def main() -> None:
    from bench.capture import bench_capture
    from bench.deploy import bench_deploy
    from bench.flash import bench_flash

    print("reallabor benchmarks")
    bench_replay("courtyard-24h-bme280.jsonl")
    bench_replay("makerspace-24h-kit.jsonl")  # the workshop kit: five sensors, I2C and UART
    bench_replay("makerspace-24h-multi.jsonl")  # every sensor driver on one node
    bench_capture(smallest_heap_k, runs_within)  # what recording every bus transaction costs
    bench_flash()
    bench_deploy()
    bench_faults()


if __name__ == "__main__":
    main()
