"""reallabor verify: is a deployed, provisioned board ready for the field? It boots the board and
watches its log, checks every file against the deploy manifest, checks the board file and the
config (present, valid, made for this board's MAC, as recorded in the inventory), and runs the
device's self-test (which sensors answer). Nothing secret is read back into the report."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from reallabor import boards
from reallabor.build import digest
from reallabor.deploy import BOARD_FILE, MANIFEST
from reallabor.devicecode import firmware_module
from reallabor.device import Device, load_json
from reallabor.errors import ReallaborError
from reallabor.i18n import msg
from reallabor.inventory import Inventory
from reallabor.provision import CONFIG_FILE, short_hash

_ERROR_LINE = re.compile(r"^\d+ E (.*)$")
_WARN_LINE = re.compile(r"^\d+ W (.*)$")
_SELFTEST = "import node.selftest\nnode.selftest.run()"


@dataclass
class Check:
    key: str  # boot, files, board, config, selftest
    ok: bool
    text: str


def verify(port: str, boot_s: float = 3.0, data: Path | None = None, timeout: float = 10) -> list[Check]:
    checks = []
    with Device(port, timeout) as dev:
        checks.append(_boot(dev.boot_log(boot_s)))
        manifest = load_json(dev.read(MANIFEST))
        checks.append(_files(dev, manifest))
        board = load_json(dev.read(BOARD_FILE))
        checks.append(_board(board))
        dev.enter_raw(soft_reset=True)  # a fresh interpreter: the boot check left main.py's state behind
        selftest = _selftest_report(dev)
        checks.append(_config(dev.read(CONFIG_FILE), selftest, data))
        checks.append(_selftest(selftest))
    return checks


def _boot(log: str) -> Check:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        last = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1])
        if "KeyboardInterrupt" not in last:  # that one is ours: verify stopped the program
            return Check("boot", False, msg("verify.boot_crash", line=last))
    errors = [m[1] for m in map(_ERROR_LINE.match, lines) if m]
    if errors:
        return Check("boot", False, msg("verify.boot_error", line=errors[0], count=len(errors)))
    warnings = [m[1] for m in map(_WARN_LINE.match, lines) if m]
    if warnings:
        return Check("boot", True, msg("verify.boot_warn", count=len(warnings), line=warnings[0]))
    return Check("boot", True, msg("verify.boot_ok", count=len(lines)))


def _files(dev: Device, manifest) -> Check:
    if not manifest or "files" not in manifest:
        return Check("files", False, msg("verify.no_firmware"))
    have = dev.hashes(files=list(manifest["files"]))
    missing = [p for p, h in manifest["files"].items() if have.get(p) is None]
    changed = [p for p, h in manifest["files"].items() if have.get(p) not in (None, h)]
    if missing or changed:
        return Check("files", False, msg("verify.files_bad", missing=", ".join(missing) or "-",
                                         changed=", ".join(changed) or "-"))
    if manifest.get("firmware") != digest():
        return Check("files", False, msg("verify.files_old", count=len(have), found=manifest.get("firmware"),
                                         current=digest()))
    return Check("files", True, msg("verify.files_ok", count=len(have), firmware=manifest["firmware"]))


def _board(board) -> Check:
    if board is None:
        return Check("board", False, msg("verify.no_board"))
    problems = boards.validate(board)
    if problems:
        return Check("board", False, msg("verify.board_bad", problem=problems[0]))
    return Check("board", True, msg("verify.board_ok", name=board["name"]))


def _selftest_report(dev: Device) -> dict | None:
    """The self-test's JSON line; {"crash": "<last line>"} when it raised; None without a result."""
    try:
        lines = dev.exec(_SELFTEST).strip().splitlines()
    except ReallaborError as e:
        if e.key != "device.exec_failed":
            raise
        return {"crash": (e.details or ["?"])[-1]}
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    return None


def _config(body: bytes | None, selftest: dict | None, data: Path | None) -> Check:
    if body is None:
        return Check("config", False, msg("verify.no_config"))
    config = firmware_module("node.config")
    try:
        cfg = config.parse(body.decode("utf-8", "replace"))
    except config.ConfigError as e:
        return Check("config", False, msg("verify.config_bad", field=e.field))
    mac = (selftest or {}).get("mac")  # the self-test reports the board's MAC
    if mac:
        ident = firmware_module("node.ident")
        expected = ident.device_id(ident.parse_mac(mac))
        if cfg["device"] != expected:
            return Check("config", False, msg("verify.config_other", found=cfg["device"], expected=expected))
    record = Inventory(data).get(mac) if mac else None
    if record and record.config_hash != short_hash(body):
        return Check("config", False, msg("verify.config_changed", id=record.id))
    where = msg("verify.in_inventory", time=record.time) if record else msg("verify.not_in_inventory")
    return Check("config", True, msg("verify.config_ok", id=cfg["device"], site=cfg["site"], where=where))


def _selftest(report: dict | None) -> Check:
    if report is None:
        return Check("selftest", False, msg("verify.selftest_none"))
    if "crash" in report:
        return Check("selftest", False, msg("verify.selftest_crash", line=report["crash"]))
    if report.get("config") != "ok":
        return Check("selftest", False, msg("verify.selftest_config", error=report.get("config")))
    sensors = report.get("sensors", {})
    if not sensors:
        return Check("selftest", True, msg("verify.selftest_empty"))
    text = ", ".join(f"{name}: {health}" for name, health in sensors.items())
    return Check("selftest", all(h == "ok" for h in sensors.values()), text)


def report(port: str, checks: list[Check]) -> list[str]:
    lines = [msg("verify.title", port=port)]
    for c in checks:
        lines.append(f"  [{'ok' if c.ok else '!!'}] {msg('verify.check.' + c.key):12} {c.text}")
    return lines
