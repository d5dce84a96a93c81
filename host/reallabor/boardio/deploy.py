"""reallabor deploy: the firmware, compiled to .mpy, and the board file onto a board, copying only
files whose SHA-256 differs. A manifest (firmware.json, written last) lists every file and its hash,
so `verify` can tell a complete deploy from a broken one.

A board the inventory knows (by its MAC) gets only the board file it was provisioned as, unless
forced: another board file means other pins, and the config on it was made for the old one."""

import json
import time
from dataclasses import dataclass, field

from reallabor import boards
from pathlib import Path

from reallabor.boardio.repl import WAIT_S, Device, mpy_version
from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.firmware import devicecode
from reallabor.firmware.layout import MANIFEST, board_files, manifest_firmware, owned_dirs, sha256
from reallabor.fleet.inventory import Inventory


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
    mac: str | None = None


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


def check_inventory(dev: Device, board: boards.Board, data: Path | None, force: bool, claim=None) -> str | None:
    """The board's MAC; refuses a board file other than the one the inventory has for it."""
    raw = dev.mac()
    if raw is None:
        return None
    mac = devicecode.ident().mac_text(raw)
    if claim:
        claim(mac, dev.port)
    inventory = Inventory.existing(data)
    known = inventory.get(mac) if inventory else None
    if known and known.board != board.name and not force:
        raise ReallaborError("deploy.other_board", EXIT_FAILED, port=dev.port, id=known.id, mac=mac, known=known.board,
                             board=board.name)
    return mac


def deploy(port: str, board_name: str, dry_run: bool = False, progress=None, timeout: float = 10,
           wait: float = WAIT_S, data: Path | None = None, force: bool = False, claim=None) -> Result:
    """progress(key, **params) is told what happens, for the many-ports progress lines;
    claim(mac, port) raises if another port of the batch has this MAC already."""
    say = progress or (lambda key, **params: None)
    board = boards.load(board_name)
    files = board_files(board)
    started = time.monotonic()
    with Device(port, timeout, wait, say) as dev:
        say("deploy.stage.check")
        check_target(dev, board, files)
        mac = check_inventory(dev, board, data, force, claim)
        if mac and hasattr(progress, "found"):
            progress.found(mac=mac)
        plan = make_plan(dev, files)
        if not dry_run:
            dev.restart_on_cancel = False  # stopped half-way, the board is better off in its REPL
            todo = plan.to_write
            for i, path in enumerate(todo, 1):
                say("deploy.stage.file", n=i, total=len(todo), path=path)
                dev.write(path, files[path])
            for path in plan.removed:
                say("deploy.stage.remove", path=path)
                dev.remove(path)
    return Result(port, plan, json.loads(files[MANIFEST])["firmware"], time.monotonic() - started, dry_run, mac)


def after_interrupt(outcome, board: str) -> list[tuple[str, dict]]:
    """What to do about a port that Ctrl-C stopped (an Outcome of reallabor.boardio.ports)."""
    if outcome.reached("deploy.stage.file") is None and outcome.reached("deploy.stage.remove") is None:
        return [("deploy.stopped_before", {"port": outcome.port, "board": board})]
    return [("deploy.stopped_half", {"port": outcome.port, "board": board})]


def firmware_hash(dev: Device) -> str | None:
    """The firmware digest from the board's manifest (None: never deployed)."""
    return manifest_firmware(dev.read(MANIFEST))
