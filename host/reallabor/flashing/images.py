"""The local cache of MicroPython firmware images: one file per build and version, and a manifest
with each file's SHA-256 so a damaged or swapped file is noticed before it is flashed.

Official images come from micropython.org under a name that carries the release date, so a pin
names the file and its hash; nothing is written to the cache unless the download matches the pin."""

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from reallabor import chips
from reallabor.env import cache_dir as _cache_dir
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.espimage import image_chip

OFFICIAL_URL = "https://micropython.org/resources/firmware/"

# (build, version) -> (file name on OFFICIAL_URL, SHA-256). Add a release only with a hash taken
# from a download you checked; `firmware fetch --sha256` pins one for a single run.
PINNED: dict[tuple[str, str], tuple[str, str]] = {}

_BUILD = re.compile(r"^[A-Z0-9_]+(-[A-Z0-9_]+)?$")  # ESP32_GENERIC, ESP32_GENERIC_S3-SPIRAM_OCT
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?(-preview[.\w-]*)?$")


@dataclass(frozen=True)
class Image:
    build: str
    version: str
    chip: str
    file: str
    size: int
    sha256: str
    source: str


def cache_dir() -> Path:
    return _cache_dir("firmware")


def images() -> list[Image]:
    manifest = cache_dir() / "manifest.json"
    if not manifest.exists():
        return []
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["images"]
        return [Image(**e) for e in entries]
    except (ValueError, KeyError, TypeError):
        raise ReallaborError("firmware.bad_manifest", EXIT_FAILED, path=manifest)


def _save(entries: list[Image]) -> None:
    directory = cache_dir()
    text = json.dumps({"images": [asdict(e) for e in entries]}, indent=2, sort_keys=True) + "\n"
    _write_atomic(directory / "manifest.json", text.encode())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _check_names(build: str, version: str) -> None:
    if not _BUILD.match(build):
        raise ReallaborError("firmware.bad_build", EXIT_BAD_INPUT, build=build)
    if not _VERSION.match(version):
        raise ReallaborError("firmware.bad_version", EXIT_BAD_INPUT, version=version)


def board_build(board) -> str:
    """The image name a board needs: MicroPython's board name plus its variant, as on the downloads."""
    return board.build + (f"-{board.variant}" if board.variant else "")


def store(data: bytes, build: str, version: str, source: str) -> Image:
    """Put an image into the cache; refuses a file whose header names another chip than the build."""
    _check_names(build, version)
    chip = image_chip(data, source)
    generic = chips.for_build(build)
    expected = generic.name if generic else None
    if expected and chip != expected:
        raise ReallaborError("firmware.build_chip", EXIT_BAD_INPUT, path=source, build=build, chip=chip,
                             expected=expected)
    name = f"{build}-v{version}.bin"
    _write_atomic(cache_dir() / name, data)
    entry = Image(build, version, chip, name, len(data), hashlib.sha256(data).hexdigest(), source)
    _save([e for e in images() if (e.build, e.version) != (build, version)] + [entry])
    return entry


def add(path: Path, build: str, version: str) -> Image:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ReallaborError("firmware.file_missing", EXIT_BAD_INPUT, path=path)
    except PermissionError:
        raise ReallaborError("file.no_permission", EXIT_BAD_INPUT, path=path)
    return store(data, build, version, str(Path(path).resolve()))


def fetch(build: str, version: str, sha256: str | None = None, base_url: str = OFFICIAL_URL,
          pins: dict | None = None) -> Image:
    """Download an official image and keep it only if its SHA-256 matches the pin."""
    _check_names(build, version)
    pin = (pins if pins is not None else PINNED).get((build, version))
    file = pin[0] if pin else None
    expected = (sha256 or (pin[1] if pin else "")).lower()
    if not file or not expected:
        raise ReallaborError("firmware.not_pinned", EXIT_BAD_INPUT, build=build, version=version)
    url = base_url + file
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        raise ReallaborError("firmware.download_failed", EXIT_FAILED, url=url, error=f"HTTP {e.code} {e.reason}")
    except (urllib.error.URLError, OSError) as e:
        raise ReallaborError("firmware.download_failed", EXIT_FAILED, url=url, error=getattr(e, "reason", e))
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ReallaborError("firmware.hash_mismatch", EXIT_FAILED, url=url, expected=expected, found=found)
    return store(data, build, version, url)


def _version_key(version: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", version))


def find(build: str, version: str | None = None) -> Image:
    """The cached image for a build (the newest version unless one is named)."""
    matching = [e for e in images() if e.build == build and (version is None or e.version == version)]
    if not matching:
        raise ReallaborError("firmware.not_cached", EXIT_BAD_INPUT, build=build,
                             version=version or "", cached=", ".join(sorted({e.build for e in images()})) or "-")
    return max(matching, key=lambda e: _version_key(e.version))


def load(entry: Image) -> bytes:
    """The image's bytes, after checking them against the manifest."""
    try:
        data = (cache_dir() / entry.file).read_bytes()
    except FileNotFoundError:
        data = b""
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise ReallaborError("firmware.corrupt", EXIT_FAILED, path=cache_dir() / entry.file, build=entry.build,
                             version=entry.version)
    return data
