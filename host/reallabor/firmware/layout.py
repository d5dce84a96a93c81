"""What goes onto a board's filesystem, and under which names: the compiled firmware, the board
file, and a manifest (firmware.json) listing every file with its SHA-256. deploy copies exactly
these files over the REPL; `flash --with-app` writes the same files as a LittleFS image, so a board
is equally ready (for provision and verify) either way."""

import hashlib
import json

from reallabor.firmware.build import compiled_firmware, digest

MANIFEST = "firmware.json"  # written last: it only claims a deploy that has fully arrived
MANIFEST_FORMAT = "reallabor-firmware"
BOARD_FILE = "board.json"
CONFIG_FILE = "config.json"  # written by provision, never by deploy


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def board_files(board) -> dict[str, bytes]:
    """device path -> content: the compiled tree, board.json, and the manifest describing both."""
    tree = compiled_firmware()
    files = {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}
    files[BOARD_FILE] = board.device_json()
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "firmware": digest(),
        "board": board.name,
        "files": {path: sha256(data) for path, data in sorted(files.items())},
    }
    files[MANIFEST] = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    return files


def manifest_firmware(data: bytes | None) -> str | None:
    """The firmware digest a manifest names (None: no manifest, or a broken one)."""
    try:
        return json.loads(data)["firmware"] if data else None
    except (ValueError, KeyError, TypeError):
        return None


def owned_dirs(files) -> list[str]:
    """Directories that hold only firmware (hal, lib/node): stale files there are removed. Other
    libraries in lib/ and the board's own files stay untouched."""
    dirs = set()
    for path in files:
        parts = path.split("/")
        if len(parts) > 1:
            dirs.add("/".join(parts[:2]) if parts[0] == "lib" else parts[0])
    return sorted(dirs)
