"""Benchmark: what the LoRa radio driver costs a node. The heap it adds on the 64-bit unix port
(import, construct, start and configure, measured with gc.mem_alloc() around each step under
MicroPython, from the .mpy files a board gets), and how long 1,000 simulated transmissions take
in virtual-time replay (wall seconds)."""

import os
import subprocess
import tempfile
import time
from pathlib import Path

from reallabor.env import find_program
from reallabor.firmware.build import compile_tree

ROOT = Path(__file__).resolve().parents[1]
FIRMWARE = ROOT / "firmware"
HEAP = "512K"

BOARDS = {  # chip -> (board, the `lora` entry of boards/<board>.json)
    "sx1276": ("ttgo-lora32-v2.1", '{"chip": "sx1276", "spi": "spi1", "nss": 18, "reset": 23, "dio0": 26, "dio1": 33}'),
    "sx1262": ("heltec-wifi-lora32-v3", '{"chip": "sx1262", "spi": "spi1", "nss": 8, "reset": 12, "busy": 13, '
                                        '"dio1": 14, "tcxo_v": 1.8, "dio2_rf_switch": true}'),
}

# The driver's share, apart from the simulator's: the base module, the chip module, and one driver
# instance started and configured (a second one, over a chip that has already seen every command,
# so that the simulated chip's own bookkeeping does not count).
HEAP_SCRIPT = """
import hal.simtime
import asyncio, gc, json
from node import clock
gc.collect(); m0 = gc.mem_alloc()
import node.radio
gc.collect(); m1 = gc.mem_alloc()
from hal import simradio
gc.collect(); m2 = gc.mem_alloc()
import node.radio.%(module)s
gc.collect(); m3 = gc.mem_alloc()
lora = json.loads('%(lora)s')
chip = simradio.%(sim)s(simradio.Air())
bus = simradio.SPI(chip)
pins = {%(pins)s}

async def start():
    radio = node.radio.make(lora, bus, chip.nss_pin, chip.reset_pin, **pins)
    await radio.begin()
    radio.configure(868100000, 7)
    return radio

async def main():
    first = await start()  # kept: the second instance alone is measured
    gc.collect(); m4 = gc.mem_alloc()
    radio = await start()
    gc.collect(); m5 = gc.mem_alloc()
    print("HEAP", m1 - m0, m3 - m2, m5 - m4, first.ready and radio.ready)

asyncio.run(main())
"""

TX_SCRIPT = """
import hal.simtime
import asyncio, json, time
from hal import simradio, simtime
simtime.clock.start(0, 0)
radio = simradio.radio(json.loads('%(lora)s'))
payload = bytes(range(24))

async def main():
    await radio.begin()
    radio.configure(868100000, 7)
    t0 = time.time_ns()  # the real clock (simtime passes it through)
    for _ in range(%(n)d):
        await radio.send(payload)
        radio.sleep()
    wall = (time.time_ns() - t0) / 1e9
    print("TX", wall, simtime.clock.elapsed, simradio.AIR.count)

asyncio.run(main())
"""

PINS = {"sx1276": '"dio0": chip.dio0_pin, "dio1": chip.dio1_pin', "sx1262": '"busy": chip.busy_pin, "dio1": chip.dio1_pin'}
MODULES = {"sx1276": ("sx127x", "SX1276"), "sx1262": ("sx126x", "SX1262")}


def _run(script: str, path: str) -> str:
    done = subprocess.run([find_program("micropython"), "-X", f"heapsize={HEAP}", "-c", script], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "MICROPYPATH": path})
    if done.returncode:
        raise RuntimeError(f"benchmark script failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def bench_radio(transmissions: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tree = compile_tree(Path(tmp) / "fw", FIRMWARE)
        path = os.pathsep.join([".frozen", str(tree), str(tree / "lib")])
        for chip, (board, lora) in BOARDS.items():
            module, sim = MODULES[chip]
            out = _run(HEAP_SCRIPT % {"module": module, "sim": sim, "lora": lora, "pins": PINS[chip]}, path)
            base, driver, instance = (int(v) for v in out.split("HEAP", 1)[1].split()[:3])
            print(f"radio {chip} ({board}): heap added {(base + driver + instance) / 1024:.1f} KiB on the 64-bit unix "
                  f"port (node.radio {base / 1024:.1f} KiB, {module} module {driver / 1024:.1f} KiB, one driver started "
                  f"and configured {instance / 1024:.1f} KiB; .mpy)")
            started = time.monotonic()
            out = _run(TX_SCRIPT % {"lora": lora, "n": transmissions}, path)
            process_s = time.monotonic() - started
            line = next(x for x in out.splitlines() if x.startswith("TX "))
            wall, virtual_ms, count = line.split()[1:]
            lines = sum(1 for x in out.splitlines() if " I radio tx " in x)
            if int(count) != transmissions or lines != transmissions:
                raise RuntimeError(f"benchmark: {count} transmissions counted, {lines} console lines")
            print(f"  {transmissions} transmissions (24 bytes, SF7, sleep between): {float(wall):.2f} s wall "
                  f"({process_s:.2f} s with start-up), {int(virtual_ms) / 1000:.1f} s virtual")


if __name__ == "__main__":
    bench_radio()
