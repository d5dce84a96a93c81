"""`make bench`: figures, not pass/fail. Each benchmark prints what it measured. Benchmarks and
the comparison baselines live here, outside the installed reallabor package."""

from reallabor.env import TRACES
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.sim import replay

from bench.heap import BUDGET_K, runs_within, smallest_heap_k

MEASURE_K = 512  # timing runs get room to spare, so a heap over budget still gives its figures


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
    from bench.live import bench_live
    from bench.lora import bench_lora
    from bench.radio import bench_radio

    print("reallabor benchmarks")
    bench_replay("courtyard-24h-bme280.jsonl")
    bench_replay("makerspace-24h-kit.jsonl")  # the workshop kit: five sensors, I2C and UART
    bench_replay("makerspace-24h-multi.jsonl")  # every sensor driver on one node
    bench_capture(smallest_heap_k, runs_within)  # what recording every bus transaction costs
    bench_flash()
    bench_deploy()
    bench_faults()
    bench_radio()
    bench_lora()
    bench_live()


if __name__ == "__main__":
    main()
