"""Site profiles: what every device at one site shares (Wi-Fi, broker, reporting interval, deep
sleep, default sensors, LoRaWAN JoinEUI and frequency plan). A profile holds the Wi-Fi password, so
it is a secret file (mode 0600); docs/provisioning.md describes the format. JSON has no comments:
a "_comment" field, at the top or in a section, is accepted and ignored. `reallabor site new`
writes a template with one per section; its CHANGE-ME values are refused until they are replaced."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from reallabor import userfile
from reallabor.errors import EXIT_BAD_INPUT, Problem, ReallaborError
from reallabor.firmware import devicecode
from reallabor.fleet import fields
from reallabor.fleet.datadir import check_private, sites_dir, write_secret
from reallabor.i18n import Term

FORMAT = "reallabor-site"
_FIELDS = ("format", "version", "site", "wifi", "mqtt", "interval_s", "deep_sleep", "ntp", "sensors", "lora")
_HEX16 = re.compile(r"^[0-9A-Fa-f]{16}$")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
COMMENT = "_comment"
PLACEHOLDER = "CHANGE-ME"


@dataclass(frozen=True)
class Site:
    name: str  # the site in topics: <prefix>/<site>/<device>/...
    path: Path
    wifi: dict | None  # {"ssid", "password"}
    mqtt: dict  # {"url", "prefix"}
    interval_s: int
    sensors: list
    join_eui: str
    frequency_plan: str  # The Things Stack frequency plan id
    deep_sleep: bool = False
    ntp: str | None = None  # None: the firmware's default (pool.ntp.org)


def path_of(ref: str, data: Path | None = None) -> Path:
    """A site name (-> <data>/sites/<name>.json) or the path of a .json file."""
    return Path(ref) if ref.endswith(".json") else sites_dir(data) / f"{ref}.json"


def load(ref: str, data: Path | None = None) -> Site:
    path = path_of(ref, data)
    if not path.is_file():
        raise ReallaborError("site.not_found", EXIT_BAD_INPUT, path=path, name=ref)
    check_private(path)
    raw = userfile.read_json(path)
    problem = check(raw)
    if problem:
        raise ReallaborError("file.invalid", EXIT_BAD_INPUT, details=[problem], path=path)
    raw = without_comments(raw)
    if not ref.endswith(".json") and raw["site"] != ref:
        raise ReallaborError("site.name_mismatch", EXIT_BAD_INPUT, path=path, name=ref, found=raw["site"])
    lora = raw.get("lora") or {}
    return Site(
        name=raw["site"], path=path, wifi=raw.get("wifi"), mqtt=raw["mqtt"], interval_s=raw.get("interval_s", 60),
        sensors=raw.get("sensors", []), join_eui=lora.get("join_eui", "0" * 16).upper(),
        frequency_plan=lora.get("frequency_plan", "EU_863_870_TTN"), deep_sleep=raw.get("deep_sleep", False),
        ntp=raw.get("ntp"),
    )


def names(data: Path | None = None) -> list[str]:
    folder = sites_dir(data)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def without_comments(raw):
    """The profile without its "_comment" fields (at the top, in sections, in sensor entries)."""
    if isinstance(raw, dict):
        return {k: without_comments(v) for k, v in raw.items() if k != COMMENT}
    if isinstance(raw, list):
        return [without_comments(v) for v in raw]
    return raw


def _placeholder(raw, where: str = "") -> str | None:
    """The first field that still holds the template's CHANGE-ME."""
    if isinstance(raw, dict):
        for k, v in raw.items():
            found = _placeholder(v, f"{where}.{k}" if where else k)
            if found:
                return found
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            found = _placeholder(v, f"{where}[{i}]")
            if found:
                return found
    elif isinstance(raw, str) and PLACEHOLDER in raw:
        return where
    return None


def check(raw) -> Problem | None:
    """The first problem of a site profile, or None. Device fields are checked by the firmware's
    own config validator, on the config a device of this site would get."""
    if isinstance(raw, Problem):  # the file is no JSON
        return raw
    if not isinstance(raw, dict):
        return Problem("config.problem.type", "site", params={"detail": Term("expect.object")})
    raw = without_comments(raw)
    field = _placeholder(raw)
    if field:
        return Problem("site.problem.placeholder", field, params={"placeholder": PLACEHOLDER})
    for key in raw:
        if key not in _FIELDS:
            return Problem("config.problem.unknown", key, params={"detail": ", ".join(_FIELDS)})
    if raw.get("format") != FORMAT or type(raw.get("version")) is not int or raw["version"] != 1:  # not true
        return Problem("config.problem.choice", "format", params={"detail": f'"format": "{FORMAT}", "version": 1'})
    if not isinstance(raw.get("site"), str) or not _NAME.fullmatch(raw["site"]):
        return Problem("config.problem.type", "site", params={"detail": "a-z, 0-9, '-', '_'"})
    if not isinstance(raw.get("mqtt"), dict) or "url" not in raw["mqtt"]:
        return Problem("config.problem.missing", "mqtt.url")
    if fields.refused("prefix", raw["mqtt"].get("prefix", "reallabor")):  # it goes into the broker's ACL
        return Problem("config.problem.type", "mqtt.prefix", params={"detail": fields.allowed("prefix")})
    lora = raw.get("lora", {})
    if not isinstance(lora, dict) or set(lora) - {"join_eui", "frequency_plan"}:
        return Problem("config.problem.unknown", "lora", params={"detail": "join_eui, frequency_plan"})
    if "join_eui" in lora and not (isinstance(lora["join_eui"], str) and _HEX16.match(lora["join_eui"])):
        return Problem("config.problem.type", "lora.join_eui", params={"detail": Term("expect.hex16")})
    plan = lora.get("frequency_plan", "EU_863_870_TTN")
    if not plan or fields.refused("frequency_plan", plan):  # it goes into the TTS CSV
        return Problem("config.problem.type", "lora.frequency_plan", params={"detail": fields.allowed("frequency_plan")})
    sample = {k: raw[k] for k in ("wifi", "mqtt", "interval_s", "deep_sleep", "ntp", "sensors") if k in raw}
    return devicecode.check_config({**sample, "site": raw["site"], "device": "rl-000000"})


def template(name: str) -> dict:
    """A new site profile: every field, a "_comment" per section, CHANGE-ME where only the
    technician knows the value."""
    return {
        COMMENT: "reallabor site profile: what every board at this site gets from `reallabor provision`. "
                 "Replace every CHANGE-ME. Each field: docs/provisioning.md, 'Site profile format'. "
                 "It holds the Wi-Fi password: keep the file private (chmod 600).",
        "format": FORMAT,
        "version": 1,
        "site": name,
        "wifi": {COMMENT: "the 2.4 GHz network the boards join", "ssid": PLACEHOLDER, "password": PLACEHOLDER},
        "mqtt": {COMMENT: "url: mqtt://HOST:PORT or mqtts://HOST:PORT (TLS); topics are <prefix>/<site>/<device>/...; "
                          "discovery: Home Assistant MQTT discovery; keepalive_s: seconds of silence before a ping (above "
                          "interval_s, so that the state messages keep the connection alive)",
                 "url": f"mqtts://{PLACEHOLDER}:8883", "prefix": "reallabor", "keepalive_s": 120, "discovery": False},
        "interval_s": 60,
        "deep_sleep": False,
        "sensors": [{COMMENT: "the sensors every board here carries (types: docs/sensors.md)", "type": "bme280",
                     "name": "air"}],
        "lora": {COMMENT: "LoRa boards only: your application's JoinEUI and The Things Stack frequency plan",
                 "join_eui": "0000000000000000", "frequency_plan": "EU_863_870_TTN"},
    }


def check_name(name: str) -> str:
    """A site name as a user gives it (it becomes a topic level): the name, or bad input."""
    if not _NAME.fullmatch(name):
        raise ReallaborError("site.bad_name", EXIT_BAD_INPUT, name=fields.shown(name))
    return name


def create(name: str, data: Path | None = None, force: bool = False) -> Path:
    """Write the template for a new site as <data>/sites/<name>.json, mode 0600."""
    check_name(name)
    path = path_of(name, data)
    if path.exists() and not force:
        raise ReallaborError("site.exists", EXIT_BAD_INPUT, path=path, name=name)
    write_secret(path, (json.dumps(template(name), indent=2, ensure_ascii=False) + "\n").encode())
    return path
