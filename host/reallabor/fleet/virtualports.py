"""Which ports are virtual boards. A virtual board is a pseudo-terminal, not a USB device, so no
port listing finds it: `reallabor virtual-board` writes one small file per run into the data
directory, and removes it when it stops,

    <data>/run/virtual-boards/<pid>.json   {"pid": ..., "boards": [{"port", "link", "mac", "kind", "chip"}]}

`reallabor ports` lists them, `flash` without --port includes those in download mode, and the
messages for a virtual board say "press Enter in its terminal" where a real one needs its RESET
button. A file whose process is gone (killed with -9) is left over and ignored (and removed)."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from reallabor.env import data_dir
from reallabor.fleet.datadir import write_secret

KIND_MICROPYTHON = "micropython"  # MicroPython answers on it (the unix port)
KIND_BOOTLOADER = "bootloader"  # the simulated ROM loader, until RESET starts what was flashed


@dataclass(frozen=True)
class VirtualPort:
    port: str  # the pty (or the --link path), as commands take it
    mac: str
    kind: str
    chip: str = ""
    pid: int = 0  # the `reallabor virtual-board` process that serves it


def _dir(data: Path | None, create: bool = True) -> Path:
    return data_dir(data, create) / "run" / "virtual-boards"


def register(ports: list[VirtualPort], data: Path | None = None, pid: int | None = None) -> Path:
    """Record this process's boards; returns the file to remove() at the end."""
    pid = pid or os.getpid()
    path = _dir(data) / f"{pid}.json"
    body = {"pid": pid, "boards": [{k: v for k, v in asdict(p).items() if k != "pid"} for p in ports]}
    write_secret(path, json.dumps(body, indent=1).encode())
    return path


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # there os.kill(pid, 0) would end the process; virtual boards need POSIX anyway
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def live(data: Path | None = None) -> list[VirtualPort]:
    """The virtual boards of every running `reallabor virtual-board`, oldest run first."""
    found = []
    folder = _dir(data, create=False)
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            pid = int(body["pid"])
            boards = [VirtualPort(b["port"], b["mac"], b["kind"], b.get("chip", ""), pid) for b in body["boards"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not _alive(pid):
            path.unlink(missing_ok=True)
            continue
        found += [b for b in boards if os.path.exists(b.port)]
    return found


def find(port: str, data: Path | None = None) -> VirtualPort | None:
    """The virtual board on a port (under any of its names), or None for a real one."""
    real = os.path.realpath(port)
    return next((v for v in live(data) if os.path.realpath(v.port) == real), None)
