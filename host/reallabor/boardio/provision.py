"""reallabor provision: give a deployed board its identity and secrets.

Reads the board's MAC, derives its id (node.ident, the same code the firmware runs), writes a
per-device config.json (site, Wi-Fi, MQTT URL and its own broker account; for LoRa boards DevEUI,
JoinEUI and an AppKey) and records the board in the inventory. Secrets come from `secrets`, are
never printed or logged, and live only on the board and in 0600 files on this machine. Provisioning
a known board again keeps its secrets (so broker and network server stay valid) unless asked for
new ones. A device whose broker password is new (a new board, or --new-secrets) is named in the
output: the broker's password file must be exported again. A known board that changes its name,
site or board is named too, as is a MAC that another port of the same batch reported already."""

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from reallabor import boards
from reallabor.boardio.deploy import firmware_hash
from reallabor.boardio.ports import stable_name
from reallabor.boardio.repl import WAIT_S, Device, load_json
from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.firmware import devicecode
from reallabor.firmware.layout import BOARD_FILE, CONFIG_FILE
from reallabor.fleet import sites
from reallabor.fleet.datadir import device_config, write_secret
from reallabor.fleet.exports import mosquitto_hash
from reallabor.fleet.inventory import Inventory, Record

_READ_MAC = "import hal\nprint(repr(hal.load().mac()))"


@dataclass
class Provisioned:
    port: str
    mac: str
    id: str
    name: str
    board: str
    config_hash: str
    firmware: str
    written: bool  # False: the board already had exactly this config
    new_secrets: bool = False  # a new broker password: the broker's password file is out of date
    changes: list = field(default_factory=list)  # (message key, params): renamed, moved, other board


config_bytes = devicecode.config_bytes  # what the device's validator was shown is what it gets


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def make_config(site: sites.Site, board: boards.Board, device_id: str, mac: bytes, previous: dict | None,
                new_secrets: bool) -> dict:
    """The device's config.json; secrets are taken over from the previous config unless new_secrets."""
    ident = devicecode.ident()
    keep = previous if previous and not new_secrets else {}
    config = {
        "device": device_id,
        "site": site.name,
        "interval_s": site.interval_s,
        "mqtt": {**site.mqtt, "user": device_id,
                 "password": keep.get("mqtt", {}).get("password") or secrets.token_urlsafe(24)},
        "sensors": site.sensors,
    }
    if site.wifi:
        config["wifi"] = site.wifi
    if site.deep_sleep:
        config["deep_sleep"] = True
    if site.ntp:
        config["ntp"] = site.ntp
    if board.lora:
        config["lora"] = {
            "dev_eui": ident.dev_eui(mac),
            "join_eui": site.join_eui,
            "app_key": (keep.get("lora") or {}).get("app_key") or secrets.token_hex(16).upper(),
            "region": "EU868",
        }
    problem = devicecode.check_config(config)
    if problem:  # a site profile that passed its own check cannot get here
        raise ReallaborError("provision.bad_config", EXIT_FAILED, field=problem.field)
    return config


def read_mac(dev: Device, board: boards.Board) -> bytes:
    if firmware_hash(dev) is None:
        raise ReallaborError("provision.no_firmware", EXIT_FAILED, port=dev.port, board=board.name)
    on_board = load_json(dev.read(BOARD_FILE)) or {}
    if on_board.get("name") != board.name:
        raise ReallaborError("provision.board_mismatch", EXIT_FAILED, port=dev.port, board=board.name,
                             found=on_board.get("name", "?"))
    mac = dev.eval(_READ_MAC)
    if not isinstance(mac, bytes) or len(mac) != 6:
        raise ReallaborError("device.bad_reply", EXIT_FAILED, details=[repr(mac)[:40]], port=dev.port)
    return mac


def provision(port: str, board_name: str, site_ref: str, name: str | None = None, data: Path | None = None,
              new_secrets: bool = False, progress=None, timeout: float = 10, wait: float = WAIT_S,
              claim=None) -> Provisioned:
    """claim(mac, port): raises if another port of the batch has this MAC already."""
    say = progress or (lambda key, **params: None)
    board = boards.load(board_name)
    site = sites.load(site_ref, data)
    inventory = Inventory(data)
    ident = devicecode.ident()
    with Device(port, timeout, wait, say) as dev:
        say("provision.stage.mac")
        mac = read_mac(dev, board)
        mac_text = ident.mac_text(mac)
        if claim:
            claim(mac_text, port)
        device_id = ident.device_id(mac)
        found = getattr(progress, "found", None)
        if found:
            found(mac=mac_text, id=device_id)
        known = inventory.get(mac_text)
        copy = device_config(data, device_id)
        previous = json.loads(copy.read_text()) if copy.exists() else None
        config = make_config(site, board, device_id, mac, previous, new_secrets)
        body = config_bytes(config)
        record = Record(
            mac=mac_text, id=device_id, name=name or (known.name if known else device_id), board=board.name,
            site=site.name, prefix=config["mqtt"].get("prefix", "reallabor"), firmware=firmware_hash(dev) or "",
            config_hash=short_hash(body), time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            mqtt_user=device_id, mqtt_hash=_keep_hash(known, previous, config),
            discovery=int(bool(config["mqtt"].get("discovery"))),
            **_lora_columns(config, site), port=stable_name(port), deep_sleep=int(site.deep_sleep),
            interval_s=site.interval_s,
        )
        inventory.save(record)  # first: refuses an id that another board already has
        write_secret(copy, body)
        fresh = not known or known.mqtt_hash != record.mqtt_hash
        say("provision.stage.recorded", id=device_id, new_secrets=fresh)
        on_board = dev.hashes(files=[CONFIG_FILE])[CONFIG_FILE]
        written = on_board != hashlib.sha256(body).hexdigest()
        if written:
            say("provision.stage.config")
            dev.write(CONFIG_FILE, body, atomic=True)
        say("provision.stage.reset")
        dev.reboot()
    return Provisioned(port, mac_text, device_id, record.name, board.name, record.config_hash, record.firmware, written,
                       fresh, _changes(known, record))


def _changes(known: Record | None, now: Record) -> list[tuple[str, dict]]:
    """What a re-provision changed about a known board, for the technician to see."""
    if not known:
        return []
    found = []
    for field_name, key in (("name", "provision.renamed"), ("site", "provision.moved"),
                            ("board", "provision.reboarded")):
        before, after = getattr(known, field_name), getattr(now, field_name)
        if before != after:
            found.append((key, {"id": now.id, "before": before, "after": after}))
    if known.discovery != now.discovery:  # the broker's ACL lets only devices with discovery write it
        found.append(("provision.discovery_on" if now.discovery else "provision.discovery_off", {"id": now.id}))
    return found


def after_interrupt(outcome) -> list[tuple[str, dict]]:
    """What to do about a port that Ctrl-C stopped (an Outcome of reallabor.boardio.ports)."""
    recorded = outcome.reached("provision.stage.recorded")
    if recorded is None:
        return [("provision.stopped_before", {"port": outcome.port})]
    if outcome.reached("provision.stage.reset") is not None:
        advice = [("provision.stopped_at_reset", {"id": recorded["id"]})]
    else:  # in the inventory, maybe not yet on the board
        advice = [("provision.stopped_half", {"id": recorded["id"], "port": outcome.port})]
    if recorded["new_secrets"]:
        advice.append(("provision.export_again_one", {"id": recorded["id"]}))
    return advice


def _keep_hash(known: Record | None, previous: dict | None, config: dict) -> str:
    # A password hash is salted: hash again only when the password changed, so exports stay stable.
    same = previous and previous.get("mqtt", {}).get("password") == config["mqtt"]["password"]
    return known.mqtt_hash if known and same else mosquitto_hash(config["mqtt"]["password"])


def _lora_columns(config: dict, site: sites.Site) -> dict:
    lora = config.get("lora")
    if not lora:
        return {}
    return {"dev_eui": lora["dev_eui"], "join_eui": lora["join_eui"], "app_key": lora["app_key"],
            "frequency_plan": site.frequency_plan}
