"""The technician's data directory (reallabor.env.data_dir) and what lives in it:

    sites/<name>.json            site profiles (Wi-Fi password: mode 0600)
    devices/<id>/config.json     a copy of every device's config (its secrets: mode 0600)
    inventory.sqlite             one row per board (AppKeys: mode 0600)
    live/mqtt-password           the broker password of the live view's read-only account "live" (0600)
    live/history.sqlite          the live view's history (reallabor live; docs/live.md)
    broker/<user>.password       the password of a broker account of this machine's, e.g. the
                                 read-only account `verify` reads with (mode 0600)
    firmware-pins.json           SHA-256 of MicroPython images this technician checked
    run/virtual-boards/<pid>.json   the virtual boards running now (reallabor.fleet.virtualports)

Everything in it may hold secrets, so the directory is private (0700) and secret files are created
with mode 0600."""

import os
import stat
from pathlib import Path

from reallabor.env import data_dir
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError


def sites_dir(data: Path | None = None) -> Path:
    return data_dir(data) / "sites"


def device_config(data: Path | None, device_id: str) -> Path:
    return data_dir(data) / "devices" / device_id / "config.json"


def inventory_file(data: Path | None = None, create: bool = True) -> Path:
    return data_dir(data, create) / "inventory.sqlite"


READER_PASSWORD_ENV = "REALLABOR_BROKER_PASSWORD"


def broker_password_file(data: Path | None, user: str) -> Path:
    return data_dir(data) / "broker" / f"{user}.password"


def broker_password(data: Path | None, user: str | None) -> str | None:
    """The password of a broker account for this machine's own use (verify's reader): the
    environment variable REALLABOR_BROKER_PASSWORD, else <data>/broker/<user>.password (its first
    line; a private file), else None."""
    if os.environ.get(READER_PASSWORD_ENV):
        return os.environ[READER_PASSWORD_ENV]
    if not user:
        return None
    path = broker_password_file(data, user)
    if not path.is_file():
        return None
    check_private(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[0].strip() if lines else None


LIVE_ACCOUNT = "live"  # the live view's read-only broker account


def live_password_file(data: Path | None = None) -> Path:
    return data_dir(data) / "live" / "mqtt-password"


def live_history(data: Path | None = None) -> Path:
    return data_dir(data) / "live" / "history.sqlite"


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
