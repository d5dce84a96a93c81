"""Site profiles: what every device at one site shares (Wi-Fi, broker, reporting interval, default
sensors, LoRaWAN JoinEUI and frequency plan). A profile holds the Wi-Fi password, so it is a
secret file (mode 0600); docs/provisioning.md describes the format."""

import re
from dataclasses import dataclass
from pathlib import Path

from reallabor import userfile
from reallabor.errors import EXIT_BAD_INPUT, Problem, ReallaborError
from reallabor.firmware import devicecode
from reallabor.fleet.datadir import check_private, sites_dir
from reallabor.i18n import Term

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
    lora = raw.get("lora") or {}
    return Site(
        name=raw["site"], path=path, wifi=raw.get("wifi"), mqtt=raw["mqtt"], interval_s=raw.get("interval_s", 60),
        sensors=raw.get("sensors", []), join_eui=lora.get("join_eui", "0" * 16).upper(),
        frequency_plan=lora.get("frequency_plan", "EU_863_870_TTN"),
    )


def check(raw) -> Problem | None:
    """The first problem of a site profile, or None. Device fields are checked by the firmware's
    own config validator, on the config a device of this site would get."""
    if isinstance(raw, Problem):  # the file is no JSON
        return raw
    if not isinstance(raw, dict):
        return Problem("config.problem.type", "site", params={"detail": Term("expect.object")})
    for key in raw:
        if key not in _FIELDS:
            return Problem("config.problem.unknown", key, params={"detail": ", ".join(_FIELDS)})
    if raw.get("format") != FORMAT or raw.get("version") != 1:
        return Problem("config.problem.choice", "format", params={"detail": f'"format": "{FORMAT}", "version": 1'})
    if not isinstance(raw.get("site"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", raw["site"]):
        return Problem("config.problem.type", "site", params={"detail": "a-z, 0-9, '-', '_'"})
    if not isinstance(raw.get("mqtt"), dict) or "url" not in raw["mqtt"]:
        return Problem("config.problem.missing", "mqtt.url")
    lora = raw.get("lora", {})
    if not isinstance(lora, dict) or set(lora) - {"join_eui", "frequency_plan"}:
        return Problem("config.problem.unknown", "lora", params={"detail": "join_eui, frequency_plan"})
    if "join_eui" in lora and not (isinstance(lora["join_eui"], str) and _HEX16.match(lora["join_eui"])):
        return Problem("config.problem.type", "lora.join_eui", params={"detail": Term("expect.hex16")})
    sample = {k: raw[k] for k in ("wifi", "mqtt", "interval_s", "sensors") if k in raw}
    return devicecode.check_config({**sample, "site": raw["site"], "device": "rl-000000"})
