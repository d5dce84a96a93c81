# /config.json -> plain dict with defaults filled in. The same validator runs on the host (CPython)
# before anything is written to a board, so the device normally only ever sees a valid file; if it
# does not, ConfigError names the field and the app goes to safe mode instead of a crash loop.
# On the device every name this module brings (its qstrs: functions, parameters, short literals)
# stays in RAM after it is let go, and so would each character of a str it loops over: parameters
# use names the firmware has anyway (path, value, names), text is checked as bytes, and the lora
# and capture sections have modules of their own (_section()).
from micropython import const
import json

PATH = "config.json"  # relative: the board's filesystem root, or the simulator's flash directory

# Problem codes; the host turns them into German or English sentences.
MISSING = "missing"
TYPE = "type"
RANGE = "range"
CHOICE = "choice"
SYNTAX = "syntax"
UNKNOWN = "unknown"
UTF8 = "utf8"  # detail: the byte offset
LONG = "long"  # detail: the most bytes
MANY = "many"  # detail: the most entries
EMPTY = "empty"

# Limits (docs/provisioning.md): what the validator, and the node after it, can hold in RAM. A
# provisioned config is some 600 bytes; a config over these limits goes to safe mode.
MAX_BYTES = 4096
MAX_SENSORS = 10  # every driver once (the nine-driver day) and one more
_MAX_DEPTH = const(8)  # nesting of objects and lists (a config needs 4)


class ConfigError(Exception):
    def __init__(self, field, problem, detail=None):
        super().__init__(field, problem, detail)
        self.field = field
        self.problem = problem
        self.detail = detail

    def __str__(self):
        return "config error: %s: %s %s" % (self.field, self.problem, "" if self.detail is None else self.detail)


# Sensors the firmware has a driver for: bus kind, default I2C address (None: a UART sensor), the
# quantities it publishes, after how many identical samples in a row it counts as stuck by default
# (0 = never: darkness or clean air can hold one value for hours), the fastest I2C clock the chip
# follows (0: any the ESP32 offers), how long after its supply comes on it answers (datasheets:
# SCD30 interface description 1.0, 1.1: at most 100 kHz, boot-up under 2 s; SPS30 datasheet: I2C
# at most 100 kHz; SCD4x datasheet 1.3, 3.1: ready 1000 ms after power-up), the options of its
# entry and its shortest sample_s (the SCD4x and SCD30 measure every 5 s and 2 s by themselves).
# The type names come from one string: as ten short literals they would be ten names kept in RAM
# for good (qstrs), on every node, whatever sensors it has.
SENSOR_TYPES = tuple("bme280 bmp280 sht4x sht3x scd4x scd30 sps30 sds011 pms5003 bh1750".split())
_SENSORS = dict(zip(SENSOR_TYPES, (
    ("i2c", 0x76, ("temperature", "pressure", "humidity"), 60, 0, 0, ("oversampling",), 1),
    ("i2c", 0x76, ("temperature", "pressure"), 60, 0, 0, ("oversampling",), 1),
    ("i2c", 0x44, ("temperature", "humidity"), 60, 0, 0, (), 1),
    ("i2c", 0x44, ("temperature", "humidity"), 60, 0, 0, (), 1),
    ("i2c", 0x62, ("co2", "temperature", "humidity"), 60, 0, 1000, ("mode", "asc", "altitude_m"), 5),
    ("i2c", 0x61, ("co2", "temperature", "humidity"), 60, 100000, 2000, ("asc",), 2),
    ("i2c", 0x69, ("pm1", "pm2_5", "pm4", "pm10"), 0, 100000, 0, (), 1),
    ("uart", None, ("pm2_5", "pm10"), 0, 0, 0, (), 1),
    ("uart", None, ("pm1", "pm2_5", "pm10"), 0, 0, 0, (), 1),
    ("i2c", 0x23, ("illuminance",), 0, 0, 0, (), 1),
)))


def chip_facts(kind):
    # -> (fastest I2C clock in Hz or 0, power-up ms) of a sensor type
    return _SENSORS[kind][4], _SENSORS[kind][5]
# Fields of a sensor entry besides these: "addr" on I2C, and the options of its type (_SENSORS).
_SENSOR_FIELDS = ("type", "name", "bus", "sample_s", "filter", "change", "stuck_after")
SENSOR_CONFIG_FIELDS = _SENSOR_FIELDS + ("addr", "oversampling", "mode", "asc", "altitude_m")
FILTERS = ("median", "trimmed", "mean")  # how a window of samples becomes the published value (node.pipeline)
_MAX_WINDOW = const(60)  # samples per quantity and publishing interval (RAM)


def load(path=PATH):
    return capture_override(parse(_read(path), path))


def _read(path):
    # -> the file's bytes, at most one over the limit (so a huge file never fills the RAM)
    try:
        with open(path, "rb") as f:
            return f.read(MAX_BYTES + 1)
    except OSError:
        raise ConfigError(path, MISSING)


def parse(data, path=PATH):
    # data: the bytes of config.json (the host passes the bytes it writes or read back), or text
    return validate(_json(data.encode() if isinstance(data, str) else data, path))


def _json(data, path):
    if len(data) > MAX_BYTES:
        raise ConfigError(path, LONG, MAX_BYTES)
    _check_json(data, path)
    return json.loads(data.decode())


def _check_json(data, path):
    # Standard JSON (RFC 8259) in UTF-8, or ConfigError with the byte offset. Both json modules
    # take more: MicroPython's {"a" 1}, [1,], {1: 2}, "\q" and overlong UTF-8, CPython's NaN and
    # Infinity. After this check they read the same text the same way, so the host (which runs
    # this validator under CPython) and the device agree. \ud800-\udfff escapes are refused: the
    # two decode them differently, and no config needs them (write the character itself).
    stack = []  # open containers: their first byte, 91 "[" or 123 "{"
    expect = 0  # 0 a value, 1 a value or "]", 2 a key or "}", 3 a key, 4 ":", 5 "," or the end
    i = 0
    n = len(data)
    while True:
        while i < n and data[i] in b" \t\n\r":
            i += 1
        if i == n:
            if expect == 5 and not stack:
                return
            raise ConfigError(path, SYNTAX, i)
        c = data[i]
        if expect == 5:
            if not stack:
                break
            if c == 44:  # ,
                expect = 0 if stack[-1] == 91 else 3
            elif c != stack[-1] + 2:  # the closing "]" or "}"
                break
            else:
                stack.pop()
            i += 1
        elif expect == 4:
            if c != 58:  # :
                break
            expect = 0
            i += 1
        elif c == 34:  # "
            i = _check_string(data, i + 1, path)
            expect = 4 if expect >= 2 else 5
        elif expect >= 2 and not (expect == 2 and c == 125):
            break
        elif c == 93 and expect == 1 or c == 125 and expect == 2:  # an empty list or object
            stack.pop()
            expect = 5
            i += 1
        elif c == 91 or c == 123:  # [ {
            if len(stack) == _MAX_DEPTH:
                break
            stack.append(c)
            expect = 1 if c == 91 else 2
            i += 1
        else:
            for word in (b"true", b"false", b"null"):
                if data[i:i + len(word)] == word:
                    i += len(word)
                    break
            else:
                j = _check_number(data, i)
                if j < 0:
                    break
                i = j
            expect = 5
    raise ConfigError(path, SYNTAX, i)


def _digits_at(data, i):
    # -> the offset after the ASCII digits from i
    while i < len(data) and 48 <= data[i] <= 57:
        i += 1
    return i


def _check_number(data, i):
    # -> the offset after a JSON number at i, or -1
    if data[i] == 45:  # -
        i += 1
    j = _digits_at(data, i)
    if j == i or data[i] == 48 and j > i + 1:  # no digit, or a leading zero
        return -1
    if j < len(data) and data[j] == 46:  # .
        i = j + 1
        j = _digits_at(data, i)
        if j == i:
            return -1
    if j < len(data) and data[j] in b"eE":
        i = j + 1
        if i < len(data) and data[i] in b"+-":
            i += 1
        j = _digits_at(data, i)
        if j == i:
            return -1
    return j


def _check_string(data, i, path):
    # -> the offset after the string whose first character is at i
    n = len(data)
    while i < n:
        c = data[i]
        if c == 34:
            return i + 1
        if c < 32:
            break
        if c == 92:  # a backslash escape
            e = data[i + 1:i + 2]
            if e == b"u":
                h = data[i + 2:i + 6]
                if len(h) < 4 or not _is_hex(h) or 0xD800 <= int(h, 16) <= 0xDFFF:
                    break
                i += 6
            elif e and e in b'"\\/bfnrt':
                i += 2
            else:
                break
        elif c < 128:
            i += 1
        else:
            # UTF-8: a lead byte and 1..3 continuation bytes (80..BF), without overlong forms,
            # surrogates (ED A0..) or code points over 10FFFF (F4 90..) (RFC 3629, 4)
            more = 1 if 0xC2 <= c <= 0xDF else 2 if 0xE0 <= c <= 0xEF else 3 if 0xF0 <= c <= 0xF4 else 0
            lo, hi = (0xA0 if c == 0xE0 else 0x90 if c == 0xF0 else 0x80,
                      0x9F if c == 0xED else 0x8F if c == 0xF4 else 0xBF)
            if not more or i + more >= n or not lo <= data[i + 1] <= hi:
                raise ConfigError(path, UTF8, i)
            for k in range(2, more + 1):
                if not 0x80 <= data[i + k] <= 0xBF:
                    raise ConfigError(path, UTF8, i)
            i += more + 1
    raise ConfigError(path, SYNTAX, i)


def validate(raw):
    _require_dict(raw, "config")
    _reject_unknown(raw, ("device", "site", "interval_s", "sample_s", "mqtt", "wifi", "sensors", "lora", "deep_sleep",
                          "send_window_s", "outbox_kb", "ntp", "i2c", "capture", "uplink"), "")
    interval = _int(raw, "interval_s", "", 60, 1, 86400)
    cfg = {
        "device": _name(raw, "device", "", None),
        "site": _name(raw, "site", "", "lab"),
        "interval_s": interval,
        "sample_s": _int(raw, "sample_s", "", interval, -(-interval // _MAX_WINDOW), interval),
        "mqtt": _mqtt(raw.get("mqtt", {}), interval),
        "wifi": _wifi(raw.get("wifi")),
        "sensors": [],
        "lora": _section("lora", raw.get("lora")),
        # delivery (docs/mqtt.md): sleep between cycles, the awake time for sending, outbox size
        "deep_sleep": _bool(raw, "deep_sleep", "", False),
        "send_window_s": _int(raw, "send_window_s", "", 20, 2, 600),
        "outbox_kb": _int(raw, "outbox_kb", "", 256, 8, 4096),
        "ntp": _host(_text(raw, "ntp", "", "pool.ntp.org"), "ntp", "a host name"),  # time server: wall time for timestamps and TLS
        "i2c": _i2c_buses(raw.get("i2c", {})),
    }
    # how readings leave the node: MQTT over Wi-Fi, or LoRaWAN (on a board with a radio); by
    # default LoRaWAN for a config with a lora section and no Wi-Fi network
    wifi = cfg["wifi"] and cfg["wifi"]["ssid"]
    uplink = cfg["uplink"] = raw.get("uplink", "lorawan" if cfg["lora"] and not wifi else "mqtt")
    if uplink not in UPLINKS:
        raise ConfigError("uplink", CHOICE, ", ".join(UPLINKS))
    if uplink == "lorawan" and not cfg["lora"]:
        raise ConfigError("lora", MISSING, "the keys for uplink lorawan")
    sensors = raw.get("sensors", [])
    if not isinstance(sensors, list):
        raise ConfigError("sensors", TYPE, "list")
    if len(sensors) > MAX_SENSORS:
        raise ConfigError("sensors", MANY, MAX_SENSORS)
    names = []
    places = []
    for i, s in enumerate(sensors):
        where = "sensors[%d]" % i
        sensor = _sensor(s, where, interval, cfg["sample_s"])
        if sensor["name"] in names:
            raise ConfigError(where + ".name", CHOICE, "unique name, '%s' is used twice" % sensor["name"])
        place = "%s 0x%02x" % (sensor["bus"], sensor["addr"]) if "addr" in sensor else sensor["bus"]
        if place in places:
            raise ConfigError(where + (".addr" if "addr" in sensor else ".bus"), CHOICE, "one sensor per place, %s is used twice" % place)
        names.append(sensor["name"])
        places.append(place)
        cfg["sensors"].append(sensor)
    capture = _section("capture", raw.get("capture"), "capture.")
    if capture:
        cfg["capture"] = capture  # only then: a node without capture carries nothing of it
    return cfg


def _section(name, raw, *args):
    # A section few nodes have (lora, capture) -> its settings, or None where it is absent. Each is
    # checked by a module of its own, node/config_<name>.py, loaded only for a config that has the
    # section: MicroPython keeps every name a module brings (its qstrs) for good, and with those
    # two sections' names a one-sensor node's names took another step of the name pool (7 KB on
    # the 64-bit unix port, 4.5 KB on an ESP32). node.app lets these modules go with this one.
    # The section's module imports its helpers from node.config, so this module must still be
    # node.config in sys.modules: node.app's read_config() drops every node.config* module together.
    if raw is None:
        return None
    return __import__("node.config_" + name, None, None, ("validate",)).validate(raw, *args)


def _mqtt(raw, interval_s):
    _require_dict(raw, "mqtt")
    _reject_unknown(raw, ("url", "prefix", "user", "password", "keepalive_s", "ca", "discovery"), "mqtt.")
    url = _text(raw, "url", "mqtt.", "mqtt://127.0.0.1:1883", 128)
    if not (url.startswith("mqtt://") or url.startswith("mqtts://")):
        raise ConfigError("mqtt.url", TYPE, _URL)
    host, port = split_url(url)
    if port is None:
        raise ConfigError("mqtt.url", TYPE, _URL)
    _host(host, "mqtt.url", _URL)
    tls = url.startswith("mqtts://")
    ca = _text(raw, "ca", "mqtt.", "ca.pem")  # CA certificate on the device's flash, for mqtts://
    if tls and not ca:  # never TLS without verifying the broker, nor plain text instead
        raise ConfigError("mqtt.ca", EMPTY, "a CA file for mqtts://")
    return {
        "url": url,
        "host": host,
        "port": port,
        "tls": tls,
        "prefix": _text(raw, "prefix", "mqtt.", "reallabor", 64, b"#+"),
        "user": _text(raw, "user", "mqtt.", None),
        "password": _text(raw, "password", "mqtt.", None, 128),
        # by default well over the interval: the state messages keep the connection alive, where
        # a keepalive of one interval meant a ping before nearly every message
        "keepalive_s": _int(raw, "keepalive_s", "mqtt.", min(3600, max(60, 2 * interval_s)), 5, 3600),
        "ca": ca,
        "discovery": _bool(raw, "discovery", "mqtt.", False),  # Home Assistant MQTT discovery
    }


_URL = "mqtt://host:port or mqtts://host:port"


def _host(host, field, detail):
    # a DNS name or IPv4 address: letters, digits, "." and "-" (no IPv6 literal, no user@)
    if not host:
        raise ConfigError(field, TYPE, detail)
    for c in host.encode():
        if not (c in b".-_" or 48 <= c <= 57 or 97 <= c <= 122 or 65 <= c <= 90):  # 0-9 a-z A-Z
            raise ConfigError(field, TYPE, detail)
    return host


def split_url(url):
    # "mqtt://host:port" -> (host, port); the port defaults to 1883 (8883 with TLS).
    rest = url.split("://", 1)[1].rstrip("/")
    if ":" in rest:
        host, port = rest.rsplit(":", 1)
        if not 0 < len(port) < 6 or not _is_digit(port) or not 0 < int(port) < 65536:
            return host, None
        return host, int(port)
    return rest, 8883 if url.startswith("mqtts") else 1883


def _i2c_buses(raw):
    # {"i2c0": {"freq": 50000, "timeout_us": 200000, "soft": true}}: over the board file's settings
    # (docs/boards.md), e.g. for an SCD30, which follows at most 100 kHz and stretches the clock
    # for up to 150 ms; soft: a software bus, whose clock-stretch timeout has no hardware limit.
    _require_dict(raw, "i2c")
    if len(raw) > 10:
        raise ConfigError("i2c", MANY, 10)
    buses = {}
    for name in sorted(raw):
        bus = raw[name]
        where = "i2c." + name
        if not (name.startswith("i2c") and len(name) == 4 and _is_digit(name[3:])):
            raise ConfigError(where, TYPE, "i2c0, i2c1, ...")
        _require_dict(bus, where)
        _reject_unknown(bus, ("freq", "timeout_us", "soft"), where + ".")
        settings = {}
        if "freq" in bus:
            settings["freq"] = _int(bus, "freq", where + ".", 0, 1000, 1000000)
        if "timeout_us" in bus:
            settings["timeout_us"] = _int(bus, "timeout_us", where + ".", 0, 1, 10000000)
        if "soft" in bus:
            settings["soft"] = _bool(bus, "soft", where + ".", False)
        buses[name] = settings
    return buses


def _wifi(raw):
    if raw is None:
        return None
    _require_dict(raw, "wifi")
    _reject_unknown(raw, ("ssid", "password"), "wifi.")
    # IEEE 802.11: an SSID has at most 32 bytes, a WPA2 passphrase 63 characters (64: hex)
    return {"ssid": _text(raw, "ssid", "wifi.", "", 32), "password": _text(raw, "password", "wifi.", "", 64)}


UPLINKS = ("mqtt", "lorawan")


def _is_hex(text):
    # text: a str, or bytes
    for c in text.encode() if isinstance(text, str) else text:
        if c not in b"0123456789abcdefABCDEF":
            return False
    return True


def _sensor(raw, path, interval_s, sample_s):
    _require_dict(raw, path)
    kind = raw.get("type")
    if kind not in SENSOR_TYPES:
        raise ConfigError(path + ".type", CHOICE, ", ".join(SENSOR_TYPES))
    bus_kind, addr, quantities, stuck, _, power_up, options, shortest_s = _SENSORS[kind]
    p = path + "."
    _reject_unknown(raw, _SENSOR_FIELDS + (("addr",) if addr else ()) + options, p)
    bus = _text(raw, "bus", p, "%s%d" % (bus_kind, 0 if addr else 1))
    if not (bus.startswith(bus_kind) and len(bus) == len(bus_kind) + 1 and _is_digit(bus[-1:])):
        raise ConfigError(p + "bus", TYPE, "%s0, %s1, ..." % (bus_kind, bus_kind))
    fastest = max(shortest_s, -(-interval_s // _MAX_WINDOW))
    sensor = {
        "type": kind,
        "name": _name(raw, "name", p, kind),
        "bus": bus,
        "sample_s": _int(raw, "sample_s", p, max(sample_s, fastest), fastest, interval_s),
        "filter": _filters(raw.get("filter", FILTERS[0]), quantities, p + "filter"),
        "change": _changes(raw.get("change", {}), quantities, p + "change"),
        "stuck_after": _int(raw, "stuck_after", p, stuck, 0, 100000),
        "power_up_ms": power_up,  # not configurable: the chip's own
    }
    if sensor["stuck_after"] == 1:  # every sample would be "stuck"
        raise ConfigError(p + "stuck_after", RANGE, "0 (off) or 2..100000")
    if addr:
        sensor["addr"] = _int(raw, "addr", p, addr, 0x08, 0x77)
    # the options of its type (_SENSORS)
    if "oversampling" in options:  # BME280, BMP280
        given = raw.get("oversampling", {})
        _require_dict(given, p + "oversampling")
        _reject_unknown(given, quantities, p + "oversampling.")
        sensor["oversampling"] = {}
        for q in quantities:
            value = _int(given, q, p + "oversampling.", 1, 1, 16)
            if value not in (1, 2, 4, 8, 16):
                raise ConfigError(p + "oversampling." + q, CHOICE, "1, 2, 4, 8, 16")
            sensor["oversampling"][q] = value
    elif "mode" in options:  # SCD4x
        sensor["mode"] = raw.get("mode", "periodic")
        if sensor["mode"] not in ("periodic", "single"):
            raise ConfigError(p + "mode", CHOICE, "periodic, single")
        sensor["asc"] = _bool(raw, "asc", p, True)
        sensor["altitude_m"] = _int(raw, "altitude_m", p, 0, 0, 3000)
    elif "asc" in options:  # SCD30
        sensor["asc"] = _bool(raw, "asc", p, None)  # None: leave the sensor's stored setting
    return sensor


def _filters(value, quantities, field):
    # "median" for every quantity, or {"co2": "mean", ...} where unnamed quantities get the median;
    # -> {quantity: index in FILTERS}
    if isinstance(value, str):
        if value not in FILTERS:
            raise ConfigError(field, CHOICE, ", ".join(FILTERS))
        return {q: FILTERS.index(value) for q in quantities}
    if not isinstance(value, dict):
        raise ConfigError(field, TYPE, "%s or an object per quantity" % ", ".join(FILTERS))
    _reject_unknown(value, quantities, field + ".")
    for q in sorted(value):
        if value[q] not in FILTERS:
            raise ConfigError(field + "." + q, CHOICE, ", ".join(FILTERS))
    return {q: FILTERS.index(value.get(q, FILTERS[0])) for q in quantities}


def _changes(value, quantities, field):
    # {"co2": 100}: publish early when a value moved this much since the last state message
    _require_dict(value, field)
    _reject_unknown(value, quantities, field + ".")
    for q in sorted(value):
        v = value[q]
        # bounded: the ESP32's single-precision floats hold these exactly enough, and no NaN or inf
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ConfigError(field + "." + q, TYPE, "a number")
        if not 0.001 <= v <= 1000000:
            raise ConfigError(field + "." + q, RANGE, "0.001..1000000")
    return dict(value)


def _require_dict(value, path):
    if not isinstance(value, dict):
        raise ConfigError(path, TYPE, "object")


def _reject_unknown(raw, names, prefix):
    # Keys in sorted order here and below: MicroPython's dicts keep no order, and with two bad
    # keys the host must name the same one as the device.
    for key in sorted(raw):
        if key not in names:
            raise ConfigError(prefix + key, UNKNOWN, ", ".join(names))


def _text(raw, key, prefix, default, length=64, bad=b""):
    # text of at most `length` bytes in UTF-8, without control characters nor any of the bytes `bad`
    value = raw.get(key, default)
    if value is None and default is None:  # null: as if absent, where absent means none
        return None
    if not isinstance(value, str):
        raise ConfigError(prefix + key, TYPE, "text")
    data = value.encode()
    if len(data) > length:
        raise ConfigError(prefix + key, LONG, length)
    for c in data:  # bytes: each character of a str would stay in RAM as a name (qstr) for good
        if c < 32 or c == 127 or c in bad:
            raise ConfigError(prefix + key, TYPE, "text without control characters or %s" % bad.decode() if bad
                              else "text without control characters")
    return value


def _name(raw, key, prefix, default):
    # one level of a topic (device, site, sensor name): not empty, at most 32 bytes, no / # +
    value = _text(raw, key, prefix, default, 32, b"/#+")
    if value == "":
        raise ConfigError(prefix + key, EMPTY, "a name")
    return value


def _is_digit(text):
    # ASCII digits only: str.isdigit() takes other scripts' digits on CPython, bytes.isdigit() does
    # not (a lone surrogate, which only a dict from the host can hold, passes as bytes that are none)
    return text.encode("utf-8", "surrogatepass").isdigit()


def _bool(raw, key, prefix, default):
    value = raw.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise ConfigError(prefix + key, TYPE, "true or false")
    return value


def _int(raw, key, prefix, default, lower, upper):
    value = raw.get(key, default)
    # bool is an int subclass in CPython; true/false is never a valid number here.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(prefix + key, TYPE, "whole number")
    if not lower <= value <= upper:
        raise ConfigError(prefix + key, RANGE, "%d..%d" % (lower, upper))
    return value


# Capture (hal/record.py): every bus transaction to the console or to rotating chunks on flash.
# `reallabor capture` switches it on and off without touching config.json (whose hash the
# inventory keeps): capture.json, when present, holds a capture section that replaces the config's.
CAPTURE_PATH = "capture.json"


def capture_override(cfg, path=CAPTURE_PATH):
    try:
        data = _read(path)
    except ConfigError:
        return cfg  # none: the config's own section holds
    capture = _section("capture", _json(data, path), path + ":")
    cfg.pop("capture", None)
    if capture:
        cfg["capture"] = capture
    return cfg
