"""The firmware's heap after boot as `make bench` measures it (bench/heap.py, bench/heapharness.py):
on the 32-bit WebAssembly port, as on an ESP32, its objects are smaller than on the 64-bit unix
port, whose figure the budget is measured with."""

import shutil

import pytest

from bench import heap
from reallabor.env import ROOT, TRACES


def test_the_32_bit_heap_after_boot_is_below_the_64_bit_one(micropython):
    if not shutil.which("node") or not (ROOT / "node_modules" / "@micropython").is_dir():
        pytest.skip("node or the npm MicroPython WebAssembly package not found")
    sizes = heap.boot_heap(TRACES / "courtyard-24h-bme280.jsonl", micropython)
    modules32, after32 = sizes["32-bit WebAssembly port"]
    modules64, after64 = sizes["64-bit unix port"]
    # measured inside one running call, the port's collector kept 39 KB of garbage: 85 KB after
    # boot against 63 KB on 64-bit; counted at the start of a call of its own, about 72 % of it
    assert modules32 < 0.8 * modules64 and after32 < 0.8 * after64, sizes


def test_a_64_bit_interpreter_named_as_the_32_bit_build_is_refused(micropython, monkeypatch):
    # its figures would be printed as an ESP32's
    monkeypatch.setattr(heap, "MICROPYTHON_32", micropython)
    with pytest.raises(SystemExit, match="is not a 32-bit MicroPython"):
        heap.micropython_32()
