"""reallabor verify: is a deployed, provisioned board ready for the field? It boots the board and
watches its log, checks every file against the deploy manifest, checks the board file and the
config (present, valid, made for this board's MAC, as recorded in the inventory), and runs the
device's self-test (which sensors answer). Nothing secret is read back into the report."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from reallabor import boards
from reallabor.boardio.provision import short_hash
from reallabor.boardio.repl import Device, load_json
from reallabor.errors import ReallaborError
from reallabor.firmware import console, devicecode
from reallabor.firmware.build import digest
from reallabor.firmware.layout import BOARD_FILE, CONFIG_FILE, MANIFEST
from reallabor.fleet.inventory import Inventory

_SELFTEST = "import hal\nboard = hal.load()\nimport node.selftest\nnode.selftest.run(board)"


@dataclass
class Check:
    what: str  # boot, files, board, config, selftest
    ok: bool
    key: str  # message key of the finding
    params: dict = field(default_factory=dict)


def verify(port: str, boot_s: float = 3.0, data: Path | None = None, timeout: float = 10,
           progress=None) -> list[Check]:
    say = progress or (lambda key, **params: None)
    checks = []
    with Device(port, timeout) as dev:
        say("verify.stage.boot")
        checks.append(_boot(dev.boot_log(boot_s)))
        say("verify.stage.files")
        manifest = load_json(dev.read(MANIFEST))
        checks.append(_files(dev, manifest))
        board = load_json(dev.read(BOARD_FILE))
        checks.append(_board(board))
        dev.enter_raw(soft_reset=True)  # a fresh interpreter: the boot check left main.py's state behind
        say("verify.stage.selftest")
        selftest = _selftest_report(dev)
        checks.append(_config(dev.read(CONFIG_FILE), selftest, data))
        checks.append(_selftest(selftest))
    return checks


def _boot(log: str) -> Check:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        last = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1])
        if "KeyboardInterrupt" not in last:  # that one is ours: verify stopped the program
            return Check("boot", False, "verify.boot_crash", dict(line=last))
    logged = [entry for entry in map(console.parse, lines) if entry]
    errors = [entry.text for entry in logged if entry.level == "E"]
    if errors:
        return Check("boot", False, "verify.boot_error", dict(line=errors[0], count=len(errors)))
    warnings = [entry.text for entry in logged if entry.level == "W"]
    if warnings:
        return Check("boot", True, "verify.boot_warn", dict(count=len(warnings), line=warnings[0]))
    return Check("boot", True, "verify.boot_ok", dict(count=len(lines)))


def _files(dev: Device, manifest) -> Check:
    if not manifest or "files" not in manifest:
        return Check("files", False, "verify.no_firmware")
    have = dev.hashes(files=list(manifest["files"]))
    missing = [p for p, h in manifest["files"].items() if have.get(p) is None]
    changed = [p for p, h in manifest["files"].items() if have.get(p) not in (None, h)]
    if missing or changed:
        return Check("files", False, "verify.files_bad", dict(missing=", ".join(missing) or "-",
                                         changed=", ".join(changed) or "-"))
    if manifest.get("firmware") != digest():
        return Check("files", False, "verify.files_old", dict(count=len(have), found=manifest.get("firmware"),
                                         current=digest()))
    return Check("files", True, "verify.files_ok", dict(count=len(have), firmware=manifest["firmware"]))


def _board(board) -> Check:
    if board is None:
        return Check("board", False, "verify.no_board")
    problems = boards.validate(board)
    if problems:
        return Check("board", False, "verify.board_bad", dict(problem=problems[0]))
    return Check("board", True, "verify.board_ok", dict(name=board["name"]))


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
        return Check("config", False, "verify.no_config")
    config = devicecode.config()
    try:
        cfg = config.parse(body.decode("utf-8", "replace"))
    except config.ConfigError as e:
        return Check("config", False, "verify.config_bad", dict(field=e.field))
    mac = (selftest or {}).get("mac")  # the self-test reports the board's MAC
    if mac:
        ident = devicecode.ident()
        expected = ident.device_id(ident.parse_mac(mac))
        if cfg["device"] != expected:
            return Check("config", False, "verify.config_other", dict(found=cfg["device"], expected=expected))
    record = Inventory(data).get(mac) if mac else None
    if record and record.config_hash != short_hash(body):
        return Check("config", False, "verify.config_changed", dict(id=record.id))
    if record:
        return Check("config", True, "verify.config_ok_known", dict(id=cfg["device"], site=cfg["site"], time=record.time))
    return Check("config", True, "verify.config_ok_unknown", dict(id=cfg["device"], site=cfg["site"]))


def _selftest(report: dict | None) -> Check:
    if report is None:
        return Check("selftest", False, "verify.selftest_none")
    if "crash" in report:
        return Check("selftest", False, "verify.selftest_crash", dict(line=report["crash"]))
    if report.get("config") != "ok":
        return Check("selftest", False, "verify.selftest_config", dict(error=report.get("config")))
    sensors = report.get("sensors", {})
    if not sensors:
        return Check("selftest", True, "verify.selftest_empty")
    return Check("selftest", all(h == "ok" for h in sensors.values()), "verify.selftest_sensors",
                 dict(sensors=", ".join(f"{name}: {health}" for name, health in sensors.items())))
