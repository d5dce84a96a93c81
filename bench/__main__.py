"""`make bench`: figures, not pass/fail. Each benchmark prints what it measured. Benchmarks and
the comparison baselines live here, outside the installed reallabor package."""

from reallabor.mqtt.mosquitto import Mosquitto

from bench.heap import BUDGET_K, smallest_heap_k


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
    from bench.replay import bench_awake, bench_month, bench_replay

    from reallabor import i18n

    i18n.set_language("en")  # the figures are in English: the fault tables' words too
    print("reallabor benchmarks")
    with Mosquitto() as broker:
        bench_replay("courtyard-24h-bme280.jsonl", broker)
        bench_replay("makerspace-24h-kit.jsonl", broker)  # the workshop kit: five sensors, I2C and UART
        bench_replay("makerspace-24h-multi.jsonl", broker)  # every sensor driver on one node
        bench_month(broker)
        bench_awake(broker)
    bench_capture()  # what recording every bus transaction costs
    bench_flash()
    bench_deploy()
    bench_faults()
    bench_radio()
    bench_lora()
    bench_live()


if __name__ == "__main__":
    main()
