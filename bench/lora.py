"""Benchmark figures for a LoRa node (bench/__main__.py calls bench_lora()): bytes and airtime per
uplink at SF7, SF9 and SF12; uplinks a day within The Things Network's fair-use budget at a one-
and a five-minute interval; the replay speed of the sample LoRa day; the smallest -X heapsize of a
LoRa node with the workshop kit, less the simulator's own heap; and our node beside two naive ones
after power losses (frame counters and DevNonces used again)."""

import json
import tempfile
from pathlib import Path

from bench.heap import BUDGET_K, smallest_heap_k
from reallabor.env import TRACES
from reallabor.sim import lorareplay, lorawire, replay, scenarios
from reallabor.traces import synthetic

BASELINE_DIR = Path(__file__).parent / "baseline"
OVERHEAD = 13  # MHDR, DevAddr, FCtrl, FCnt, FPort, MIC; no FOpts
PAYLOADS = {"BME280 alone (courtyard)": 7, "all six quantities (the workshop kit)": 11}
SPREADING = {7: "DR5", 9: "DR3", 12: "DR0"}
DAY_S = 86400


def naive_transports() -> list[scenarios.Transport]:
    return [scenarios.Transport("frame counter in RAM", BASELINE_DIR / "main_lora_ramcounter.py", (BASELINE_DIR,)),
            scenarios.Transport("random DevNonce", BASELINE_DIR / "main_lora_randomnonce.py", (BASELINE_DIR,))]


def bench_airtime() -> None:
    print("LoRaWAN uplinks (compact payload, EU868, 125 kHz, CR 4/5, no FOpts):")
    for what, payload in PAYLOADS.items():
        phy = OVERHEAD + payload
        for sf, dr in SPREADING.items():
            ms = lorawire.airtime_us(phy, sf) / 1000
            fits = int(lorareplay.FAIR_USE_AIRTIME_S * 1000 // ms)
            sustained = int(27_000 // ms)  # what the node's credit allows day after day (27 s + a 3 s burst)
            print(f"  {what}: {payload} bytes payload, {phy} bytes on air; SF{sf} ({dr}): {ms:.1f} ms, "
                  f"{fits} uplinks a day in 30 s ({sustained} sustained by the node's credit)")
            for minutes in (1, 5):
                needed = DAY_S // (60 * minutes)
                verdict = ("fits" if needed * ms <= 27_000
                           else f"does not fit: the node sends every {DAY_S / sustained / 60:.1f} min")
                print(f"    one reading every {minutes} min: {needed} uplinks, {needed * ms / 1000:.1f} s a day: "
                      f"{verdict}")


def bench_replay_speed() -> None:
    trace = TRACES / "courtyard-24h-lora.jsonl"
    replay.run(trace, heap="512K")  # warm the .mpy cache
    runs = [replay.run(trace, heap="512K") for _ in range(3)]
    best = min(runs, key=lambda r: r.wall_s)
    air = lorareplay.airtime(best.lorawan.frames, best.virtual_ms)
    print(f"replay courtyard-24h-lora.jsonl: {len(best.uplinks)} uplinks, {best.virtual_ms / 3_600_000:.1f} h "
          f"virtual in {best.wall_s:.2f} s wall (best of 3) = speed factor {best.virtual_ms / 1000 / best.wall_s:,.0f}x; "
          f"airtime {air.worst_airtime_s:.1f} s, {air.worst_downlinks} downlinks in 24 h")


def kit_trace(path: Path) -> Path:
    """The workshop kit's makerspace day on a Heltec V3 sending over LoRaWAN every 5 minutes."""
    header, records = synthetic.kit_day()
    header.update(board="heltec-wifi-lora32-v3", interval_ms=synthetic.LORA_INTERVAL_MS,
                  lora=dict(synthetic.LORA_SAMPLE_KEYS))
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


def bench_kit_heap() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trace = kit_trace(Path(tmp) / "kit-lora.jsonl")
        full = replay.run(trace, heap="512K")
        uplinks = len(full.uplinks)

        def completes(k: int) -> bool:
            r = replay.run(trace, heap=f"{k}K")  # the firmware's budget: the simulator's share comes on top
            return r.returncode == 0 and len(r.uplinks) == uplinks

        k = smallest_heap_k(completes, 512)
        if k is None:
            print("LoRa node with the workshop kit: does not complete")
            return
        verdict = "within" if k <= BUDGET_K else "OVER"
        print(f"LoRa node with the workshop kit (24 h, {uplinks} uplinks): smallest firmware heap budget {k}K "
              f"({verdict} the {BUDGET_K}K budget; the simulator's own {full.heap_simulator / 1024:.1f}K on top)")


def bench_power_losses(quick: bool = False) -> None:
    chosen = [s for s in scenarios.lora_scenarios(quick) if "power losses" in s.name]
    scenarios.print_lora_table(chosen, [scenarios.OURS, *naive_transports()])


def bench_lora() -> None:
    bench_airtime()
    bench_replay_speed()
    bench_kit_heap()
    bench_power_losses()


if __name__ == "__main__":
    from reallabor import i18n

    i18n.set_language("en")  # as in bench/__main__.py
    bench_lora()
