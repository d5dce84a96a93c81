"""The smallest heap budget a replayed day runs in: a bisection over `--heap` (the firmware's
budget; the simulator's own share comes on top, host/reallabor/sim/heapprobe.py)."""

STEP_K = 4
BUDGET_K = 128


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
