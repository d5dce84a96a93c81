"""Benchmark: how long flashing a 1.6 MB MicroPython-sized image takes, into one simulated board and
into four in parallel (one worker process each). Measured twice: as fast as the simulator answers
(what the host side costs), and paced like a real UART at 921600 Bd (what a technician waits)."""

import io
import tempfile
import time
from pathlib import Path

from reallabor import boards, espimage
from reallabor.boardio import ports
from reallabor.flashing import flash
from reallabor.sim.rombootloader import BootloaderBoard

IMAGE_SIZE = 1600 * 1024


def _flash_into(count: int, image: bytes, pace: bool, workdir: Path) -> float:
    sims = [BootloaderBoard("esp32", workdir / f"flash{i}.bin", mac=bytes([0x24, 0x0A, 0xC4, 0, 0, i]),
                            pace=pace).start() for i in range(count)]
    try:
        jobs = flash.prepare(boards.load("esp32-devkitc"), image, "bench", [s.path for s in sims])
        started = time.monotonic()
        outcomes = ports.run(list(jobs), flash.port_job(jobs), out=io.StringIO())
        elapsed = time.monotonic() - started
        failed = [o for o in outcomes if not o.ok]
        if failed:
            raise RuntimeError(f"benchmark flash failed: {failed[0].error.message()}")
        for s in sims:
            if s.flash.read(0x1000, len(image)) != image:
                raise RuntimeError("benchmark flash wrote wrong data")
        return elapsed
    finally:
        for s in sims:
            s.stop()


def bench_flash() -> None:
    image = espimage.synthetic_firmware("esp32", IMAGE_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        for pace, label in ((False, "no UART delay"), (True, "paced at 921600 Bd")):
            one = _flash_into(1, image, pace, Path(tmp))
            four = _flash_into(4, image, pace, Path(tmp))
            print(f"flash {len(image) / 2**20:.1f} MB image ({label}): 1 simulated board {one:.1f} s, "
                  f"4 in parallel {four:.1f} s")


if __name__ == "__main__":
    bench_flash()
