"""The local cache of MicroPython firmware images: one file per build and version, and a manifest
with each file's SHA-256 so a damaged or swapped file is noticed before it is flashed.

Official images come from micropython.org: each board has a download page
(https://micropython.org/download/<BOARD>/) that links its files as
/resources/firmware/<BUILD>-<date>-v<version>.bin. A download is kept only if its SHA-256 is the one
expected: given with --sha256, or pinned in pins.json beside this module (the team's record, in
git) or in <data>/firmware-pins.json (this technician's own). A hash given with --sha256 that
matched is added to the user's file, so the next fetch of that version needs none.

The stand-in is espimage.synthetic_firmware under the version "stand-in": a valid ESP image with
the chip's header and partition table but no MicroPython in it. Virtual boards boot it (they run
the unix port instead); a real board would not, so `flash` refuses it for real ports."""

import hashlib
import html
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from reallabor import chips, espimage, userfile
from reallabor.env import cache_dir as _cache_dir, data_dir
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, Problem, ReallaborError
from reallabor.espimage import image_chip

OFFICIAL_SITE = "https://micropython.org/"
PINS = Path(__file__).with_name("pins.json")
USER_PINS = "firmware-pins.json"  # in the data directory
PINS_FORMAT = "reallabor-firmware-pins"
STAND_IN = "stand-in"  # the version of every stand-in image
STAND_IN_SIZE = 1536 * 1024  # about a real ESP32 build

_BUILD = re.compile(r"^[A-Z0-9_]+(-[A-Z0-9_]+)?$")  # ESP32_GENERIC, ESP32_GENERIC_S3-SPIRAM_OCT
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?(-preview[.\w-]*)?$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_FILE = re.compile(r"^[A-Za-z0-9_.-]+\.bin$")


@dataclass(frozen=True)
class Image:
    build: str
    version: str
    chip: str
    file: str
    size: int
    sha256: str
    source: str
    stand_in: bool = False  # espimage.synthetic_firmware: for virtual boards only


@dataclass(frozen=True)
class Pin:
    build: str
    version: str
    file: str  # the name on micropython.org/resources/firmware/
    sha256: str
    where: str  # the pins file it came from


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
    if not _VERSION.match(version) and version != STAND_IN:
        raise ReallaborError("firmware.bad_version", EXIT_BAD_INPUT, version=version)


def board_page(site: str, build: str) -> str:
    """micropython.org/download/<BOARD>/: a variant (ESP32_GENERIC_S3-SPIRAM_OCT) is listed on its
    board's page (ESP32_GENERIC_S3)."""
    return f"{site}download/{build.split('-')[0]}/"


def file_url(site: str, file: str) -> str:
    return f"{site}resources/firmware/{file}"


# -- pins ------------------------------------------------------------------------------------------

def user_pins_file(data: Path | None = None, create: bool = True) -> Path:
    return data_dir(data, create) / USER_PINS


def _pins_problem(raw, where: str) -> Problem | None:
    if isinstance(raw, Problem):
        return raw
    if not isinstance(raw, dict) or raw.get("format") != PINS_FORMAT or raw.get("version") != 1:
        return Problem("config.problem.choice", "format", params={"detail": f'"format": "{PINS_FORMAT}", "version": 1'})
    if not isinstance(raw.get("pins"), list):
        return Problem("config.problem.type", "pins", params={"detail": "[{build, version, file, sha256}, ...]"})
    for i, pin in enumerate(raw["pins"]):
        field = f"pins[{i}]"
        if not isinstance(pin, dict) or set(pin) - {"build", "version", "file", "sha256", "_comment"}:
            return Problem("config.problem.unknown", field, params={"detail": "build, version, file, sha256"})
        checks = (("build", _BUILD), ("version", _VERSION), ("file", _FILE), ("sha256", _SHA256))
        for key, pattern in checks:
            if not isinstance(pin.get(key), str) or not pattern.match(pin[key]):
                return Problem("config.problem.type", f"{field}.{key}", params={"detail": pattern.pattern})
    return None


def _read_pins(path: Path) -> list[Pin]:
    raw = userfile.read_json(path)
    problem = _pins_problem(raw, str(path))
    if problem:
        raise ReallaborError("file.invalid", EXIT_BAD_INPUT, details=[problem], path=path)
    return [Pin(p["build"], p["version"], p["file"], p["sha256"].lower(), str(path)) for p in raw["pins"]]


def load_pins(data: Path | None = None) -> dict[tuple[str, str], Pin]:
    """(build, version) -> Pin: the shipped pins, then the user's (which win)."""
    pins = {}
    for path in (PINS, user_pins_file(data, create=False)):
        if path.exists():
            pins.update({(p.build, p.version): p for p in _read_pins(path)})
    return pins


def save_pin(pin: Pin, data: Path | None = None) -> Path:
    """Add (or replace) a pin in the user's file."""
    path = user_pins_file(data)
    pins = [p for p in (_read_pins(path) if path.exists() else []) if (p.build, p.version) != (pin.build, pin.version)]
    pins.append(pin)
    body = {"format": PINS_FORMAT, "version": 1,
            "_comment": "SHA-256 of MicroPython images you checked; docs/flashing.md says how",
            "pins": [{"build": p.build, "version": p.version, "file": p.file, "sha256": p.sha256}
                     for p in sorted(pins, key=lambda p: (p.build, version_key(p.version)))]}
    _write_atomic(path, (json.dumps(body, indent=2) + "\n").encode())
    return path


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


def _get(url: str, what: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        raise ReallaborError(f"firmware.{what}_failed", EXIT_FAILED, url=url, error=f"HTTP {e.code} {e.reason}")
    except (urllib.error.URLError, OSError) as e:
        raise ReallaborError(f"firmware.{what}_failed", EXIT_FAILED, url=url, error=getattr(e, "reason", e))


def listed_files(page: str, build: str) -> dict[str, str]:
    """version -> file name of a build, from the links of its download page."""
    pattern = re.compile(r"/resources/firmware/(" + re.escape(build) + r"-\d{8}-v([0-9][\w.+-]*?)\.bin)[\"']")
    return {m[2]: m[1] for m in pattern.finditer(html.unescape(page))}


def find_file(build: str, version: str, site: str = OFFICIAL_SITE) -> str:
    """The file name of a build's version, as its download page links it."""
    page = board_page(site, build)
    files = listed_files(_get(page, "page").decode("utf-8", "replace"), build)
    if version not in files:
        shown = ", ".join(sorted(files, key=version_key, reverse=True)[:8]) or "-"
        raise ReallaborError("firmware.not_listed", EXIT_BAD_INPUT, build=build, version=version, page=page,
                             listed=shown)
    return files[version]


@dataclass(frozen=True)
class Fetched:
    image: Image
    pin_saved: Path | None  # the user's pins file, when --sha256 added a pin to it


def fetch(build: str, version: str, sha256: str | None = None, site: str = OFFICIAL_SITE, file: str | None = None,
          pins: dict | None = None, data: Path | None = None, remember: bool = True) -> Fetched:
    """Download an official image and keep it only if its SHA-256 is the expected one: sha256, or
    the pin for (build, version). The file name comes from the pin, from file, or from the build's
    download page. remember: add a --sha256 that matched to the user's pins file."""
    _check_names(build, version)
    if sha256 is not None and not _SHA256.match(sha256):
        raise ReallaborError("firmware.bad_sha256", EXIT_BAD_INPUT, sha256=sha256)
    if file is not None and not _FILE.match(file):
        raise ReallaborError("firmware.bad_file", EXIT_BAD_INPUT, file=file)
    pin = (load_pins(data) if pins is None else pins).get((build, version))
    if pin and sha256 and pin.sha256 != sha256.lower():
        raise ReallaborError("firmware.pin_conflict", EXIT_BAD_INPUT, build=build, version=version,
                             given=sha256.lower(), pinned=pin.sha256, where=pin.where)
    expected = (sha256 or (pin.sha256 if pin else "")).lower()
    if not expected:
        raise ReallaborError("firmware.not_pinned", EXIT_BAD_INPUT, build=build, version=version,
                             page=board_page(site, build))
    file = file or (pin.file if pin else None) or find_file(build, version, site)
    url = file_url(site, file)
    data_bytes = _get(url, "download")
    found = hashlib.sha256(data_bytes).hexdigest()
    if found != expected:
        raise ReallaborError("firmware.hash_mismatch", EXIT_FAILED, url=url, expected=expected, found=found)
    image = store(data_bytes, build, version, url)
    saved = None
    if not pin and remember:  # a hash the technician checked: keep it for next time
        saved = save_pin(Pin(build, version, file, expected, ""), data)
    return Fetched(image, saved)


def stand_in(build: str, chip: str | None = None) -> Image:
    """Put the stand-in image for a build into the cache (chip: for builds of non-generic boards)."""
    _check_names(build, STAND_IN)
    generic = chips.for_build(build)
    name = generic.name if generic else chip
    if name is None:
        raise ReallaborError("firmware.stand_in_chip", EXIT_BAD_INPUT, build=build,
                             chips=", ".join(sorted(chips.CHIPS)))
    if generic and chip and chip != generic.name:
        raise ReallaborError("firmware.build_chip", EXIT_BAD_INPUT, path=STAND_IN, build=build, chip=chip,
                             expected=generic.name)
    entry = store(espimage.synthetic_firmware(name, STAND_IN_SIZE), build, STAND_IN, STAND_IN)
    entry = Image(**{**asdict(entry), "stand_in": True})
    _save([e for e in images() if (e.build, e.version) != (build, STAND_IN)] + [entry])
    return entry


def version_key(version: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", version))  # the stand-in has none: it comes last


def find(build: str, version: str | None = None) -> Image:
    """The cached image for a build (the newest version unless one is named; a real one before the
    stand-in)."""
    matching = [e for e in images() if e.build == build and (version is None or e.version == version)]
    if not matching:
        raise ReallaborError("firmware.not_cached", EXIT_BAD_INPUT, build=build,
                             version=version or "", cached=", ".join(sorted({e.build for e in images()})) or "-")
    return max(matching, key=lambda e: version_key(e.version))


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
