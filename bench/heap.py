"""The smallest heap budget a replayed day runs in: a bisection over `--heap` (the firmware's
budget; the simulator's own share comes on top, host/reallabor/sim/heapprobe.py)."""

import os
import subprocess

from reallabor.env import ROOT

STEP_K = 4
BUDGET_K = 128
# A 32-bit unix build of MicroPython (4-byte pointers and 16-byte GC blocks, as on an ESP32): no
# package registry has one. `make micropython32` builds one here (scripts/build-micropython32);
# REALLABOR_MICROPYTHON32 names another.
BUILT_32 = ROOT / "build" / "micropython32"
MICROPYTHON_32 = os.environ.get("REALLABOR_MICROPYTHON32") or (str(BUILT_32) if BUILT_32.exists() else None)


def micropython_32() -> str | None:
    """The 32-bit build to measure on, checked to be one; None if there is none."""
    if not MICROPYTHON_32:
        return None
    done = subprocess.run([MICROPYTHON_32, "-c", "import sys; print(sys.maxsize)"], capture_output=True, text=True)
    if done.stdout.strip() != str(2**31 - 1):
        raise SystemExit(f"{MICROPYTHON_32} is not a 32-bit MicroPython "
                         f"({(done.stdout + done.stderr).strip()[-200:]})")
    return MICROPYTHON_32


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


def boot_heap(trace, micropython: str, micropython_32: str | None = None) -> dict[str, tuple[int, int]]:
    """The firmware's heap for a trace's node (bench/heapharness.py): port -> (its modules, after
    boot). On the unix port (64-bit) with the modules from the filesystem, as deploy puts them; on
    the same port from a ROMFS image (their bytecode used in place, as a board with a ROMFS
    partition would, MicroPython 1.25 and later; the image itself is not counted, as on a board it
    is flash); on a 32-bit unix build, when there is one; and, with node and the npm package there,
    on the WebAssembly port under node (32-bit)."""
    import json
    import shutil
    import tempfile
    from pathlib import Path

    from reallabor import boards
    from reallabor.firmware import devicecode
    from reallabor.firmware.build import compiled_firmware
    from reallabor.sim import replay
    from reallabor.traces import fileformat

    bench = Path(__file__).parent
    summary = fileformat.load(trace)
    config = fileformat.default_config(summary.header)
    config["mqtt"] = {"url": "mqtt://127.0.0.1:1"}  # never reached: the harness has no network
    checked = devicecode.config().validate(json.loads(json.dumps(config)))
    board = boards.load(summary.header["board"])
    modules = [m for m in replay.node_modules(checked, False, False, board) if m.startswith("node.")]
    firmware = compiled_firmware()
    rom = replay.romfs_image(firmware)
    unix = [micropython, "-X", "heapsize=4M", "-m"]
    runs = {"64-bit unix port": (unix + ["main"], None),
            "64-bit unix port, modules from ROMFS": (unix + ["romboot"], rom)}  # sim/romboot.py mounts it first
    if micropython_32:
        runs["32-bit unix build"] = ([micropython_32, *unix[1:], "main"], None)
    if shutil.which("node") and (bench.parent / "node_modules" / "@micropython").is_dir():
        runs["32-bit WebAssembly port"] = (["node", str(bench / "wasm" / "run.mjs"), ".", "main.py"], None)
    sizes = {}
    for port, (argv, image) in runs.items():
        with tempfile.TemporaryDirectory(prefix="reallabor-heap-") as tmp:  # a fresh flash for each
            flash = Path(tmp)
            path = replay.install_firmware(flash, firmware, bench / "heapharness.py", rom=image)  # as a replay's flash
            (flash / "config.json").write_text(json.dumps(config))
            (flash / "modules.txt").write_text("\n".join(modules))
            done = subprocess.run(argv, cwd=flash, env={**os.environ, "MICROPYPATH": path},
                                  capture_output=True, text=True, timeout=120)
        figures = dict(line.split() for line in done.stdout.splitlines() if line.startswith(("modules ", "heap ")))
        if done.returncode or len(figures) != 2:
            raise RuntimeError(f"{port}: {done.stderr.strip()[-500:]}")
        sizes[port] = (int(figures["modules"]), int(figures["heap"]))
    return sizes


def board_names(trace, micropython: str) -> dict[str, int]:
    """The names a board with this trace's node keeps for good (qstrs, never freed; their pools
    grow in doubling steps, 7 KB a step near 620 names on the 64-bit port): the heap probe's ESP32
    side, then micropython.qstr_info() -> {"n_pool": .., "n_qstr": .., "n_total_bytes": ..}."""
    import re
    import tempfile
    from pathlib import Path

    from reallabor.sim import replay

    with tempfile.TemporaryDirectory(prefix="reallabor-names-") as flash:
        done = replay.probe_board_side(micropython, Path(flash), trace,
                                       after="import micropython; micropython.qstr_info()")
    figures = dict(re.findall(r"(n_\w+)=(\d+)", done.stdout))
    if done.returncode or not figures:
        raise RuntimeError(f"the names probe failed: {done.stderr.strip()[-300:]}")
    return {k: int(v) for k, v in figures.items()}
