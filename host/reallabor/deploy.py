"""reallabor deploy: the firmware, compiled to .mpy, and the board file onto a board, copying only
files whose SHA-256 differs. A manifest (firmware.json, written last) lists every file and its hash,
so `verify` can tell a complete deploy from a broken one."""

import hashlib
import json
import time
from dataclasses import dataclass, field

from reallabor import boards
from reallabor.build import compiled_firmware, digest
from reallabor.device import Device, mpy_version
from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.i18n import msg

MANIFEST = "firmware.json"
BOARD_FILE = "board.json"
MANIFEST_FORMAT = "reallabor-firmware"


@dataclass
class Plan:
    files: dict[str, bytes]  # everything that belongs on the board, manifest included
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files in directories deploy owns
    same: list[str] = field(default_factory=list)

    @property
    def to_write(self) -> list[str]:
        # The manifest goes last: it only claims a deploy that has fully arrived.
        return sorted(self.new + self.changed, key=lambda p: (p == MANIFEST, p))


@dataclass
class Result:
    port: str
    plan: Plan
    firmware: str  # digest of the firmware sources
    seconds: float
    dry_run: bool


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_files(board: boards.Board) -> dict[str, bytes]:
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


def owned_dirs(files) -> list[str]:
    """Directories that hold only firmware (hal, lib/node): stale files there are removed. Other
    libraries in lib/ and the board's own files stay untouched."""
    dirs = set()
    for path in files:
        parts = path.split("/")
        if len(parts) > 1:
            dirs.add("/".join(parts[:2]) if parts[0] == "lib" else parts[0])
    return sorted(dirs)


def check_target(dev: Device, board: boards.Board, files: dict[str, bytes]) -> None:
    """The board runs MicroPython that loads our .mpy files, on the chip the board file names."""
    info = dev.info()
    mpy = next((data for path, data in files.items() if path.endswith(".mpy")), None)
    wanted = mpy_version(info["mpy"])[0]
    if mpy is not None and mpy[1] != wanted:
        raise ReallaborError("deploy.mpy_mismatch", EXIT_FAILED, port=dev.port, device=info["version"],
                             device_mpy=wanted, host_mpy=mpy[1])
    if info["platform"] == "esp32":  # the virtual board reports "linux" and plays any board
        chip = info["machine"].rsplit("with", 1)[-1].strip().lower().replace("-", "")
        if chip != board.chip:
            raise ReallaborError("deploy.wrong_chip", EXIT_FAILED, port=dev.port, found=chip, board=board.name,
                                 chip=board.chip)


def make_plan(dev: Device, files: dict[str, bytes]) -> Plan:
    top = [p for p in files if "/" not in p]
    remote = dev.hashes(files=top, dirs=owned_dirs(files))
    plan = Plan(files)
    for path, data in sorted(files.items()):
        have = remote.get(path)
        (plan.same if have == sha256(data) else plan.new if have is None else plan.changed).append(path)
    plan.removed = sorted(p for p, h in remote.items() if h is not None and p not in files)
    return plan


def deploy(port: str, board_name: str, dry_run: bool = False, progress=None, timeout: float = 10) -> Result:
    """progress(text) is told what happens, for batch progress lines."""
    say = progress or (lambda text: None)
    board = boards.load(board_name)
    files = local_files(board)
    started = time.monotonic()
    with Device(port, timeout) as dev:
        say("check")
        check_target(dev, board, files)
        plan = make_plan(dev, files)
        if not dry_run:
            todo = plan.to_write
            for i, path in enumerate(todo, 1):
                say(f"{i}/{len(todo)} {path}")
                dev.write(path, files[path])
            for path in plan.removed:
                dev.remove(path)
    return Result(port, plan, json.loads(files[MANIFEST])["firmware"], time.monotonic() - started, dry_run)


def firmware_hash(dev: Device) -> str | None:
    """The firmware digest from the board's manifest (None: never deployed)."""
    data = dev.read(MANIFEST)
    try:
        return json.loads(data)["firmware"] if data else None
    except (ValueError, KeyError, TypeError):
        return None



def report(result: Result) -> list[str]:
    """What changed (or would change), file by file, and a summary line."""
    plan = result.plan
    lines = [msg("deploy.file_new", path=p, size=len(plan.files[p])) for p in plan.new]
    lines += [msg("deploy.file_changed", path=p, size=len(plan.files[p])) for p in plan.changed]
    lines += [msg("deploy.file_removed", path=p) for p in plan.removed]
    counts = dict(port=result.port, written=len(plan.new) + len(plan.changed), removed=len(plan.removed),
                  same=len(plan.same))
    if result.dry_run:
        lines.append(msg("deploy.dry", **counts))
    else:
        lines.append(msg("deploy.done", seconds=f"{result.seconds:.1f}", firmware=result.firmware, **counts))
    return lines
