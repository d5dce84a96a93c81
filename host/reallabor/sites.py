"""Site profiles: what every device at one site shares (Wi-Fi, broker, reporting interval, default
sensors, LoRaWAN JoinEUI and frequency plan). A profile holds the Wi-Fi password, so it is a
secret file (mode 0600); docs/provisioning.md describes the format."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from reallabor import store
from reallabor.devicecode import firmware_module
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg

FORMAT = "reallabor-site"
_FIELDS = ("format", "version", "site", "wifi", "mqtt", "interval_s", "sensors", "lora")
_HEX16 = re.compile(r"^[0-9A-Fa-f]{16}$")


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


def path_of(ref: str, data: Path | None = None) -> Path:
    """A site name (-> <data>/sites/<name>.json) or the path of a .json file."""
    return Path(ref) if ref.endswith(".json") else store.data_dir(data) / "sites" / f"{ref}.json"


def load(ref: str, data: Path | None = None) -> Site:
    path = path_of(ref, data)
    if not path.is_file():
        raise ReallaborError("site.not_found", EXIT_BAD_INPUT, path=path, name=ref)
    store.check_private(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ReallaborError("site.invalid", EXIT_BAD_INPUT, path=path, field="", problem=str(e))
    problem = check(raw)
    if problem:
        field, text = problem
        raise ReallaborError("site.invalid", EXIT_BAD_INPUT, path=path, field=field, problem=text)
    lora = raw.get("lora") or {}
    return Site(
        name=raw["site"], path=path, wifi=raw.get("wifi"), mqtt=raw["mqtt"], interval_s=raw.get("interval_s", 60),
        sensors=raw.get("sensors", []), join_eui=lora.get("join_eui", "0" * 16).upper(),
        frequency_plan=lora.get("frequency_plan", "EU_863_870_TTN"),
    )


def check(raw) -> tuple[str, str] | None:
    """(field, problem) for the first problem, or None. Device fields are checked by the firmware's
    own config validator, on the config a device of this site would get."""
    if not isinstance(raw, dict):
        return "site", msg("config.problem.type", detail="object")
    for key in raw:
        if key not in _FIELDS:
            return key, msg("config.problem.unknown", detail=", ".join(_FIELDS))
    if raw.get("format") != FORMAT or raw.get("version") != 1:
        return "format", msg("config.problem.choice", detail=f'"format": "{FORMAT}", "version": 1')
    if not isinstance(raw.get("site"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", raw["site"]):
        return "site", msg("config.problem.type", detail="a-z, 0-9, '-', '_'")
    if not isinstance(raw.get("mqtt"), dict) or "url" not in raw["mqtt"]:
        return "mqtt.url", msg("config.problem.missing")
    lora = raw.get("lora", {})
    if not isinstance(lora, dict) or set(lora) - {"join_eui", "frequency_plan"}:
        return "lora", msg("config.problem.unknown", detail="join_eui, frequency_plan")
    if "join_eui" in lora and not (isinstance(lora["join_eui"], str) and _HEX16.match(lora["join_eui"])):
        return "lora.join_eui", msg("config.problem.type", detail="16 hex digits")
    config = firmware_module("node.config")
    sample = {k: raw[k] for k in ("wifi", "mqtt", "interval_s", "sensors") if k in raw}
    try:
        config.validate({**sample, "site": raw["site"], "device": "rl-000000"})
    except config.ConfigError as e:
        return e.field, msg("config.problem." + e.problem, detail=e.detail)
    return None
