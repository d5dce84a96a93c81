"""The technician's data directory: site profiles (sites/<name>.json), the inventory
(inventory.sqlite) and a copy of every device's config (devices/<id>/config.json). Everything in it
may hold secrets, so the directory is private (0700) and secret files are created with mode 0600.

Default: $REALLABOR_DATA, else $XDG_DATA_HOME/reallabor (~/.local/share/reallabor), or
%APPDATA%\\reallabor on Windows; commands take --data DIR.
"""

import os
import stat
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError


def data_dir(explicit: Path | None = None) -> Path:
    if explicit:
        root = Path(explicit)
    elif os.environ.get("REALLABOR_DATA"):
        root = Path(os.environ["REALLABOR_DATA"])
    elif os.name == "nt":
        root = Path(os.environ.get("APPDATA", Path.home())) / "reallabor"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "reallabor"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def write_secret(path: Path, data: bytes) -> None:
    """Write a file only its owner can read: created 0600 (never world-readable, not even for a
    moment), replaced atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def check_private(path: Path) -> None:
    """A secret file that others may read is refused (POSIX only; Windows has no such bits)."""
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ReallaborError("secret.too_open", EXIT_BAD_INPUT, path=path)

