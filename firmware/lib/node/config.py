# /config.json -> plain dict with defaults filled in. The same validator runs on the host (CPython)
# before anything is written to a board, so the device normally only ever sees a valid file; if it
# does not, ConfigError names the field and the app goes to safe mode instead of a crash loop.
import json

PATH = "config.json"  # relative: the board's filesystem root, or the simulator's flash directory

# Problem codes; the host turns them into German or English sentences.
MISSING = "missing"
TYPE = "type"
RANGE = "range"
CHOICE = "choice"
SYNTAX = "syntax"
UNKNOWN = "unknown"


class ConfigError(Exception):
    def __init__(self, field, problem, detail=None):
        super().__init__(field, problem, detail)
        self.field = field
        self.problem = problem
        self.detail = detail

    def __str__(self):
        return "config error: %s: %s %s" % (self.field, self.problem, "" if self.detail is None else self.detail)


# Sensors the firmware has a driver for, with the quantities each one can oversample.
SENSOR_TYPES = ("bme280", "bmp280")
OVERSAMPLING = (1, 2, 4, 8, 16)
_OVERSAMPLED = {"bme280": ("temperature", "pressure", "humidity"), "bmp280": ("temperature", "pressure")}
_DEFAULT_ADDR = {"bme280": 0x76, "bmp280": 0x76}


def load(path=PATH):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        raise ConfigError(path, MISSING)
    return parse(text)


def parse(text):
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise ConfigError(PATH, SYNTAX, str(e))
    return validate(raw)


def validate(raw):
    _require_dict(raw, "config")
    _reject_unknown(raw, ("device", "site", "interval_s", "mqtt", "wifi", "sensors", "deep_sleep", "send_window_s", "outbox_kb"), "")
    cfg = {
        "device": _text(raw, "device", "", None),
        "site": _text(raw, "site", "", "lab"),
        "interval_s": _int(raw, "interval_s", "", 60, 1, 86400),
        "mqtt": _mqtt(raw.get("mqtt", {})),
        "wifi": _wifi(raw.get("wifi")),
        "sensors": [],
        # delivery (docs/mqtt.md): sleep between cycles, the awake time for sending, outbox size
        "deep_sleep": _bool(raw, "deep_sleep", "", False),
        "send_window_s": _int(raw, "send_window_s", "", 20, 2, 600),
        "outbox_kb": _int(raw, "outbox_kb", "", 256, 8, 4096),
    }
    sensors = raw.get("sensors", [])
    if not isinstance(sensors, list):
        raise ConfigError("sensors", TYPE, "list")
    names = []
    for i, s in enumerate(sensors):
        sensor = _sensor(s, "sensors[%d]" % i)
        if sensor["name"] in names:
            raise ConfigError("sensors[%d].name" % i, CHOICE, "unique name, '%s' is used twice" % sensor["name"])
        names.append(sensor["name"])
        cfg["sensors"].append(sensor)
    return cfg


def _mqtt(raw):
    _require_dict(raw, "mqtt")
    _reject_unknown(raw, ("url", "prefix", "user", "password", "keepalive_s", "ca", "discovery"), "mqtt.")
    url = _text(raw, "url", "mqtt.", "mqtt://127.0.0.1:1883")
    if not (url.startswith("mqtt://") or url.startswith("mqtts://")):
        raise ConfigError("mqtt.url", TYPE, "mqtt://host:port or mqtts://host:port")
    host, port = split_url(url)
    if not host or port is None:
        raise ConfigError("mqtt.url", TYPE, "mqtt://host:port or mqtts://host:port")
    prefix = _text(raw, "prefix", "mqtt.", "reallabor")
    for ch in "#+":
        if ch in prefix:
            raise ConfigError("mqtt.prefix", TYPE, "topic text without # or +")
    return {
        "url": url,
        "host": host,
        "port": port,
        "tls": url.startswith("mqtts://"),
        "prefix": prefix,
        "user": _text(raw, "user", "mqtt.", None),
        "password": _text(raw, "password", "mqtt.", None),
        "keepalive_s": _int(raw, "keepalive_s", "mqtt.", 60, 5, 3600),
        "ca": _text(raw, "ca", "mqtt.", "ca.pem"),  # CA certificate on the device's flash, for mqtts://
        "discovery": _bool(raw, "discovery", "mqtt.", False),  # Home Assistant MQTT discovery
    }


def split_url(url):
    # "mqtt://host:port" -> (host, port); the port defaults to 1883 (8883 with TLS).
    rest = url.split("://", 1)[1].rstrip("/")
    if ":" in rest:
        host, port = rest.rsplit(":", 1)
        try:
            port = int(port)
        except ValueError:
            return host, None
        if not 0 < port < 65536:
            return host, None
        return host, port
    return rest, 8883 if url.startswith("mqtts") else 1883


def _wifi(raw):
    if raw is None:
        return None
    _require_dict(raw, "wifi")
    _reject_unknown(raw, ("ssid", "password"), "wifi.")
    return {"ssid": _text(raw, "ssid", "wifi.", ""), "password": _text(raw, "password", "wifi.", "")}


def _sensor(raw, where):
    _require_dict(raw, where)
    kind = raw.get("type")
    if kind not in SENSOR_TYPES:
        raise ConfigError(where + ".type", CHOICE, ", ".join(SENSOR_TYPES))
    _reject_unknown(raw, ("type", "name", "bus", "addr", "oversampling"), where + ".")
    bus = _text(raw, "bus", where + ".", "i2c0")
    if not (bus.startswith("i2c") and bus[3:].isdigit()):
        raise ConfigError(where + ".bus", TYPE, "i2c0, i2c1, ...")
    sensor = {
        "type": kind,
        "name": _text(raw, "name", where + ".", kind),
        "bus": bus,
        "addr": _int(raw, "addr", where + ".", _DEFAULT_ADDR[kind], 0x08, 0x77),
    }
    quantities = _OVERSAMPLED.get(kind)
    if quantities:
        given = raw.get("oversampling", {})
        _require_dict(given, where + ".oversampling")
        _reject_unknown(given, quantities, where + ".oversampling.")
        sensor["oversampling"] = {}
        for q in quantities:
            value = _int(given, q, where + ".oversampling.", 1, 1, 16)
            if value not in OVERSAMPLING:
                raise ConfigError(where + ".oversampling." + q, CHOICE, "1, 2, 4, 8, 16")
            sensor["oversampling"][q] = value
    return sensor


def _require_dict(value, where):
    if not isinstance(value, dict):
        raise ConfigError(where, TYPE, "object")


def _reject_unknown(raw, known, prefix):
    for key in raw:
        if key not in known:
            raise ConfigError(prefix + key, UNKNOWN, ", ".join(known))


def _text(raw, key, prefix, default):
    value = raw.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ConfigError(prefix + key, TYPE, "text")
    return value


def _bool(raw, key, prefix, default):
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(prefix + key, TYPE, "true or false")
    return value


def _int(raw, key, prefix, default, lo, hi):
    value = raw.get(key, default)
    # bool is an int subclass in CPython; true/false is never a valid number here.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(prefix + key, TYPE, "whole number")
    if not lo <= value <= hi:
        raise ConfigError(prefix + key, RANGE, "%d..%d" % (lo, hi))
    return value
