"""Compile firmware/ to .mpy bytecode with mpy-cross, as it goes onto a board: the same files run
in replays, so heap figures there match what a board sees. main.py stays source (the board's
boot runs main.py by name)."""

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from reallabor.env import FIRMWARE, cache_dir, find_program
from reallabor.errors import EXIT_FAILED, ReallaborError


def find_mpy_cross() -> str:
    return find_program("mpy-cross")


def sources(root: Path = FIRMWARE) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def digest(root: Path = FIRMWARE) -> str:
    h = hashlib.sha256()
    for p in sources(root):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def target_name(rel: Path) -> Path:
    return rel if rel == Path("main.py") else rel.with_suffix(".mpy")


def module_name(rel: Path) -> str:
    """lib/node/net/mqtt.py -> "node.net.mqtt", hal/__init__.py -> "hal": the name tracebacks give
    as the module's file. The import interns that name anyway (its key in sys.modules), while the
    file's path would be one more name in the board's RAM for good, per module (qstrs are never
    freed): some 25 of them on a courtyard node, and a name pool grows in doubling steps."""
    parts = rel.with_suffix("").parts
    parts = parts[1:] if parts[0] == "lib" else parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def compile_tree(dest: Path, root: Path = FIRMWARE) -> Path:
    """Write the compiled tree to dest (created); returns dest."""
    mpy_cross = find_mpy_cross()
    dest.mkdir(parents=True, exist_ok=True)
    for src in sources(root):
        rel = src.relative_to(root)
        out = dest / target_name(rel)
        out.parent.mkdir(parents=True, exist_ok=True)
        if rel == Path("main.py"):
            shutil.copyfile(src, out)
            continue
        done = subprocess.run([mpy_cross, "-s", module_name(rel), "-o", str(out), str(src)], capture_output=True, text=True)
        if done.returncode:
            raise ReallaborError("mpy_cross.failed", EXIT_FAILED, details=done.stderr.splitlines(), path=rel)
    return dest


def mpy_cross_version() -> str:
    """e.g. 'MicroPython v1.29.0 on 2026-08-29; mpy-cross emitting mpy v6.3'"""
    return subprocess.run([find_mpy_cross(), "--version"], capture_output=True, text=True).stdout.strip()


def compiled_firmware() -> Path:
    """The compiled firmware for the current sources, built once per content, mpy-cross version (a
    different mpy-cross may emit a different .mpy format) and this file (how it calls mpy-cross),
    and cached."""
    cache = cache_dir("mpy")
    tool = hashlib.sha256(mpy_cross_version().encode() + Path(__file__).read_bytes()).hexdigest()[:8]
    dest = cache / f"{digest()}-{tool}"
    if not dest.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache))
        compile_tree(tmp)
        try:
            tmp.rename(dest)
        except OSError:  # another process built it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
