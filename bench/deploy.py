"""Benchmark for `make bench`: time to deploy and provision one virtual board, and 8 in parallel
(one worker per port, as `reallabor deploy/provision --port ... --port ...` runs them)."""

import io
import json
import os
import tempfile
import time
from pathlib import Path

from reallabor.boardio import ports
from reallabor.boardio.deploy import deploy
from reallabor.boardio.provision import provision
from reallabor.firmware.build import compiled_firmware
from reallabor.sim.virtualboard import VirtualBoard

BOARD = "esp32-devkitc"
PARALLEL = 8


def _site(data: Path) -> None:
    path = data / "sites" / "bench.json"
    path.parent.mkdir(parents=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"format": "reallabor-site", "version": 1, "site": "bench",
                   "wifi": {"ssid": "bench", "password": "bench-password"},
                   "mqtt": {"url": "mqtt://127.0.0.1:1"}, "sensors": []}, f)


def _timed(func) -> float:
    start = time.monotonic()
    func()
    return time.monotonic() - start


def _parallel(names, job) -> None:
    def work(port, progress):
        job(port, progress)
        return {}  # ports.run takes a job's table columns; the benchmark needs none

    outcomes = ports.run(names, work, out=io.StringIO(), refresh_s=0.02)
    failed = [f"{o.port}: {o.error.message()}" for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError("; ".join(failed))


def bench_deploy() -> dict:
    """Print and return the figures in seconds."""
    compiled_firmware()  # compiling is timed by the build, not here
    figures = {}
    with tempfile.TemporaryDirectory(prefix="reallabor-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        data.mkdir(mode=0o700)
        _site(data)
        boards = [VirtualBoard(root / f"flash{i}", f"02:00:00:00:20:{i:02x}").start() for i in range(PARALLEL + 1)]
        try:
            one, many = boards[0], [b.port for b in boards[1:]]
            figures["deploy_1"] = _timed(lambda: deploy(one.port, BOARD))
            figures["redeploy_1"] = _timed(lambda: deploy(one.port, BOARD))
            figures["provision_1"] = _timed(lambda: provision(one.port, BOARD, "bench", data=data))
            figures["deploy_8"] = _timed(lambda: _parallel(many, lambda p, progress: deploy(p, BOARD, progress=progress)))
            figures["provision_8"] = _timed(lambda: _parallel(
                many, lambda p, progress: provision(p, BOARD, "bench", data=data, progress=progress)))
            files = len(json.loads((one.flash / "firmware.json").read_text())["files"]) + 1
        finally:
            for b in boards:
                b.stop()
    print(f"deploy one board ({files} files): {figures['deploy_1']:.2f} s, unchanged again {figures['redeploy_1']:.2f} s; "
          f"provision {figures['provision_1']:.2f} s")
    print(f"{PARALLEL} boards in parallel: deploy {figures['deploy_8']:.2f} s, provision {figures['provision_8']:.2f} s")
    return figures


if __name__ == "__main__":
    bench_deploy()
