"""reallabor verify: is a deployed, provisioned board ready for the field? It checks every file
against the deploy manifest, the board file and the config (present, valid, made for this board's
MAC, as recorded in the inventory), runs the device's self-test (which sensors answer), and then
proves delivery: a reader subscribed to the device's topics before the board boots, the board
starts its normal cycle (a soft reset into main.py, which it then keeps running), and its state
message must reach the reader within a bounded time (with discovery on, its discovery configs
too). When it does not, the board's console log says why: the broker refused its account, was not
reachable, or TLS waited for wall time. Nothing secret is read back into the report."""

import errno
import json
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from reallabor import boards
from reallabor.boardio.provision import short_hash
from reallabor.boardio.repl import WAIT_S, Device, load_json
from reallabor.errors import Cancelled, ReallaborError
from reallabor.firmware import console, devicecode
from reallabor.firmware.build import digest
from reallabor.firmware.layout import BOARD_FILE, CONFIG_FILE, MANIFEST
from reallabor.fleet import sites
from reallabor.fleet.inventory import Inventory
from reallabor.i18n import describe
from reallabor.mqtt.reader import Reader, ReaderFailed
from reallabor.mqtt.url import BrokerUrl, parse_url

_SELFTEST = "import hal\nboard = hal.load()\nimport node.selftest\nnode.selftest.run(board)"
DELIVERY_S = 30.0  # how long the state message may take after the boot
READER_USER_ENV = "REALLABOR_BROKER_USER"  # the reader's account when --broker names none
DISCOVERY = "homeassistant"  # node/discovery.py: homeassistant/sensor/<device>/<sensor>_<quantity>/config

# The firmware's words for a failed connection (node/uplink.py, node/net/mqtt.py), in its log:
#   W mqtt: connect failed: MQTTError('connection refused: not authorised'); next try in 2 s
#   W mqtt: no wall time yet (NTP pool.ntp.org), TLS waits for it
_CONNECT_FAILED = re.compile(r"mqtt: connect failed: (.*?)(; next try in \d+ s)?$")
_CAUSES = (  # (words in the error, cause)
    (("not authorised", "bad user name or password"), "not_authorised"),
    (("TLS:",), "tls"),
    (("ECONNREFUSED", "(111", "EHOSTUNREACH", "(113", "ETIMEDOUT", "(110", "ENETUNREACH", "(101", "no answer within",
      "(-2", "(-202", "connection closed by the broker"), "unreachable"),
)


@dataclass
class Check:
    what: str  # boot, files, board, config, selftest, delivery
    ok: bool
    key: str  # message key of the finding
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Broker:
    """Where and as whom verify reads: url None means the site profile's (or the board's) broker."""

    url: BrokerUrl | None = None
    password: str | None = None
    ca: str | None = None


def verify(port: str, boot_s: float = 3.0, data: Path | None = None, timeout: float = 10, progress=None,
           wait: float = WAIT_S, broker: Broker | None = None, delivery_s: float = DELIVERY_S,
           delivery: bool = True, password=None) -> list[Check]:
    """The checks, in the order of the report. delivery False: only watch the boot for boot_s.
    password(user) -> the reader's password when the broker URL comes from the site profile."""
    say = progress or (lambda key, **params: None)
    checks = []
    with Device(port, timeout, wait, say) as dev:  # Ctrl-C: the board goes back to its program
        say("verify.stage.files")
        manifest = load_json(dev.read(MANIFEST))
        checks.append(_files(dev, manifest))
        board = load_json(dev.read(BOARD_FILE))
        checks.append(_board(board))
        dev.enter_raw(soft_reset=True)  # a fresh interpreter for the self-test
        say("verify.stage.selftest")
        selftest = _selftest_report(dev)
        body = dev.read(CONFIG_FILE)
        checks.append(_config(body, selftest, data))
        checks.append(_selftest(selftest))
        cfg = _parsed(body)
        if delivery and cfg:
            boot, proof = _deliver(dev, cfg, (selftest or {}).get("mac"), data, broker or Broker(), delivery_s,
                                   password, say)
            checks.insert(0, boot)
            checks.append(proof)
        else:
            say("verify.stage.boot")
            checks.insert(0, _boot(dev.run_main(lambda text: False, boot_s)))
            if delivery:
                checks.append(Check("delivery", False, "verify.delivery_no_config"))
    return checks


def _parsed(body: bytes | None) -> dict | None:
    config = devicecode.config()
    try:
        return config.parse(body) if body else None
    except config.ConfigError:
        return None


def _boot(log: str) -> Check:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        last = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1])
        if "KeyboardInterrupt" not in last:  # that one is ours: a Ctrl-C stopped the program
            return Check("boot", False, "verify.boot_crash", dict(line=last))
    logged = [entry for entry in map(console.parse, lines) if entry]
    errors = [entry.text for entry in logged if entry.level == "E"]
    if errors:
        return Check("boot", False, "verify.boot_error", dict(line=errors[0], count=len(errors)))
    warnings = [entry.text for entry in logged if entry.level == "W"]
    if warnings:
        return Check("boot", True, "verify.boot_warn", dict(count=len(warnings), line=warnings[0]))
    return Check("boot", True, "verify.boot_ok", dict(count=len(lines)))


# -- delivery -------------------------------------------------------------------------------------

def reader_target(cfg: dict, data: Path | None, broker: Broker, password) -> tuple[BrokerUrl, str | None]:
    """The broker to read from: --broker, else the site profile's, else the board's own; without
    a user in the URL, as REALLABOR_BROKER_USER if that is set."""
    if broker.url:
        return broker.url, broker.password
    url = cfg["mqtt"]["url"]
    try:
        url = sites.load(cfg["site"], data).mqtt["url"]
    except ReallaborError:  # no profile for this site on this machine: the board's own broker
        pass
    target = parse_url(url)
    if not target.user and os.environ.get(READER_USER_ENV):
        target = replace(target, user=os.environ[READER_USER_ENV])
    return target, broker.password or (password(target.user) if password else None)


def cause(log: str) -> tuple[str, str] | None:
    """(cause, the firmware's words) for the newest connection failure in a console log:
    not_authorised, unreachable, tls, no_time, other."""
    found = None
    for line in log.splitlines():
        entry = console.parse(line.strip())
        if not entry:
            continue
        if entry.text.startswith("mqtt: no wall time yet"):
            found = ("no_time", entry.text)
            continue
        m = _CONNECT_FAILED.search(entry.text)
        if m:
            words = m[1]
            kind = next((c for needles, c in _CAUSES if any(n in words for n in needles)), "other")
            found = (kind, _plain(words))
    return found


def _plain(words: str) -> str:
    """The firmware's repr of an exception in plain words: MQTTError('x') -> x, OSError(111,) ->
    [Errno 111] ECONNREFUSED."""
    m = re.fullmatch(r"\w+\('(.*)',?\)", words)
    if m:
        return m[1]
    m = re.fullmatch(r"OSError\((-?\d+),?\)", words)
    if m:
        return f"[Errno {m[1]}] {errno.errorcode.get(int(m[1]), '')}".strip()
    return words


def _deliver(dev: Device, cfg: dict, mac: str | None, data: Path | None, broker: Broker, delivery_s: float, password,
             say) -> tuple[Check, Check]:
    """Boot the board with a reader listening: (the boot check, the delivery check)."""
    topic = f"{cfg['mqtt']['prefix']}/{cfg['site']}/{cfg['device']}/"
    discovery = cfg["mqtt"]["discovery"]
    target, secret = reader_target(cfg, data, broker, password)
    topics = [topic + "#"] + ([f"{DISCOVERY}/sensor/{cfg['device']}/#"] if discovery else [])
    say("verify.stage.reader", url=target.url)
    try:
        reader = Reader(target.host, target.port, topics, target.user, secret, target.tls, broker.ca).__enter__()
    except ReaderFailed as e:
        say("verify.stage.boot")
        log = dev.run_main(_ended, 3.0)
        key = "verify.reader_refused" if e.why == "refused" else "verify.reader_unreachable"
        return _boot(log), Check("delivery", False, key, dict(url=target.url, user=target.user or "-", error=e.detail))
    got = []
    try:
        started = time.monotonic()
        say("verify.stage.delivery", topic=topic + "state")
        state_at = []

        def done(log: str) -> bool:
            if getattr(say, "cancelled", False):  # Ctrl-C: the board runs its program already
                raise Cancelled()
            for m in reader.received():
                got.append(m)
                if m.topic == topic + "state" and not m.retained and not state_at:
                    state_at.append(time.monotonic() - started)
            if state_at and (not discovery or _discovery_complete(log, got, cfg["device"])):
                return True
            found = cause(log)
            return bool(found and found[0] == "not_authorised") or _ended(log)

        log = dev.run_main(done, delivery_s)
        got += reader.received()
    finally:
        reader.__exit__()
    return _boot(log), _delivery_check(log, got, cfg, topic, target, state_at, mac, data, delivery_s)


def _ended(log: str) -> bool:
    """main.py is over: the board is back at its prompt (a crash, or the program ended)."""
    return log.rstrip().endswith(">>>")


def _published(log: str) -> list[str]:
    entries = [console.parse(line.strip()) for line in log.splitlines()]
    return [t for t in (console.published(e.text) for e in entries if e) if t]


def _discovery_complete(log: str, got, device: str) -> bool:
    """Every discovery config the node published this boot is at the reader; if it sent none this
    boot (a sleeping node sends them once), the broker must hold them retained."""
    sent = {t for t in _published(log) if t.startswith(f"{DISCOVERY}/")}
    seen = {m.topic for m in got if m.topic.startswith(f"{DISCOVERY}/sensor/{device}/")}
    return sent <= seen and bool(seen)


def _delivery_check(log: str, got, cfg: dict, topic: str, target: BrokerUrl, state_at: list, mac: str | None,
                    data: Path | None, delivery_s: float) -> Check:
    device = cfg["device"]
    if state_at:
        if not cfg["mqtt"]["discovery"]:
            return Check("delivery", True, "verify.delivery_ok", dict(topic=topic + "state", url=target.url,
                                                                      seconds=f"{state_at[0]:.1f}"))
        seen = sorted({m.topic for m in got if m.topic.startswith(f"{DISCOVERY}/sensor/{device}/")})
        if _discovery_complete(log, got, device):
            return Check("delivery", True, "verify.delivery_ok_discovery",
                         dict(topic=topic + "state", url=target.url, seconds=f"{state_at[0]:.1f}", count=len(seen)))
        sent = sorted(t for t in _published(log) if t.startswith(f"{DISCOVERY}/"))
        missing = [t for t in sent if t not in seen]
        if missing:
            return _discovery_refused(cfg, missing, mac, data, target)
        return Check("delivery", False, "verify.discovery_none", dict(device=device))
    seconds = round(delivery_s)
    found = cause(log)
    if found:
        kind, words = found
        if kind == "not_authorised":
            return _refused(cfg, words, mac, data)
        if kind == "unreachable":
            return Check("delivery", False, "verify.node_unreachable", dict(url=cfg["mqtt"]["url"], error=words))
        if kind == "tls":
            return Check("delivery", False, "verify.node_tls", dict(url=cfg["mqtt"]["url"], error=words))
        if kind == "no_time":
            return Check("delivery", False, "verify.node_no_time", dict(ntp=cfg["ntp"], url=cfg["mqtt"]["url"]))
        return Check("delivery", False, "verify.node_failed", dict(url=cfg["mqtt"]["url"], error=words))
    if topic + "state" in _published(log):  # the broker took it, the reader never saw it: an ACL
        return Check("delivery", False, "verify.reader_not_allowed",
                     dict(topic=topic + "state", user=target.user or "-"))
    if _ended(log):
        return Check("delivery", False, "verify.node_stopped", dict(seconds=seconds))
    return Check("delivery", False, "verify.delivery_none", dict(topic=topic + "state", seconds=seconds))


def _discovery_refused(cfg: dict, missing: list, mac: str | None, data: Path | None, target: BrokerUrl) -> Check:
    """Discovery configs the node sent that never came: did the last broker export let this
    device write them? Mosquitto drops a denied publish without a word."""
    device = cfg["device"]
    params = dict(count=len(missing), first=missing[0], device=device, user=cfg["mqtt"]["user"] or device)
    inventory = Inventory.existing(data)
    record = inventory.get(mac) if inventory and mac else None
    when, carried = inventory.exported_as(record) if record else (None, {})
    if when and not carried.get("discovery"):  # 0, or an export older than the discovery column
        return Check("delivery", False, "verify.discovery_not_exported", dict(params, time=when))
    if when:
        return Check("delivery", False, "verify.discovery_exported", dict(params, time=when, reader=target.user or "-"))
    return Check("delivery", False, "verify.discovery_refused", params)


def _refused(cfg: dict, words: str, mac: str | None, data: Path | None) -> Check:
    """The broker refused the node's own account: is its password file older than the device's
    password? The inventory remembers what each export carried."""
    device = cfg["device"]
    inventory = Inventory.existing(data)
    record = inventory.get(mac) if inventory and mac else None
    when, state = inventory.exported_password(record) if record else (None, None)
    if state == "old":
        return Check("delivery", False, "verify.refused_stale", dict(device=device, time=when, error=words))
    if state is None:
        return Check("delivery", False, "verify.refused_not_exported", dict(device=device, error=words))
    return Check("delivery", False, "verify.refused_reload", dict(device=device, time=when, error=words))


# -- what is on the board ------------------------------------------------------------------------

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
    try:  # the bytes as the device reads them: not UTF-8 is an error there, so it is here
        cfg = config.parse(body)
    except config.ConfigError as e:
        return Check("config", False, "verify.config_bad", dict(problem=describe(devicecode.config_problem(e))))
    mac = (selftest or {}).get("mac")  # the self-test reports the board's MAC
    if mac:
        ident = devicecode.ident()
        expected = ident.device_id(ident.parse_mac(mac))
        if cfg["device"] != expected:
            return Check("config", False, "verify.config_other", dict(found=cfg["device"], expected=expected))
    inventory = Inventory.existing(data)
    record = inventory.get(mac) if inventory and mac else None
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
