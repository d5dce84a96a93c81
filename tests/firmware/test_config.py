from node import config
from node.config import ConfigError
from support import raises


def test_defaults_fill_a_minimal_config():
    cfg = config.parse('{"sensors": [{"type": "bme280"}]}')
    assert cfg["interval_s"] == 60
    assert cfg["site"] == "lab"
    assert cfg["device"] is None
    assert cfg["mqtt"]["host"] == "127.0.0.1" and cfg["mqtt"]["port"] == 1883
    assert cfg["mqtt"]["prefix"] == "reallabor"
    s = cfg["sensors"][0]
    assert (s["name"], s["bus"], s["addr"]) == ("bme280", "i2c0", 0x76)
    assert s["oversampling"] == {"temperature": 1, "pressure": 1, "humidity": 1}


def test_bmp280_has_no_humidity_oversampling():
    s = config.parse('{"sensors": [{"type": "bmp280", "addr": 119}]}')["sensors"][0]
    assert s["oversampling"] == {"temperature": 1, "pressure": 1}
    e = raises(ConfigError, config.parse, '{"sensors": [{"type": "bmp280", "oversampling": {"humidity": 2}}]}')
    assert e.field == "sensors[0].oversampling.humidity" and e.problem == config.UNKNOWN


def test_errors_name_the_field():
    cases = [
        ('{"interval_s": 0}', "interval_s", config.RANGE),
        ('{"interval_s": "60"}', "interval_s", config.TYPE),
        ('{"interval_s": true}', "interval_s", config.TYPE),
        ('{"mqtt": {"url": "http://x"}}', "mqtt.url", config.TYPE),
        ('{"mqtt": {"url": "mqtt://host:99999"}}', "mqtt.url", config.TYPE),
        ('{"mqtt": {"prefix": "a/#"}}', "mqtt.prefix", config.TYPE),
        ('{"sensors": {}}', "sensors", config.TYPE),
        ('{"sensors": [{"type": "bme280", "addr": 200}]}', "sensors[0].addr", config.RANGE),
        ('{"sensors": [{"type": "bme280", "oversampling": {"pressure": 3}}]}', "sensors[0].oversampling.pressure", config.CHOICE),
        ('{"sensors": [{"type": "bme280"}, {"type": "bme280", "addr": 119}]}', "sensors[1].name", config.CHOICE),
        ('{"colour": "blue"}', "colour", config.UNKNOWN),
        ("[]", "config", config.TYPE),
    ]
    for text, field, problem in cases:
        e = raises(ConfigError, config.parse, text)
        assert (e.field, e.problem) == (field, problem), (text, e.field, e.problem)


def test_unknown_sensor_lists_the_known_ones():
    e = raises(ConfigError, config.parse, '{"sensors": [{"type": "dht22"}]}')
    assert e.field == "sensors[0].type"
    for known in config.SENSOR_TYPES:
        assert known in e.detail


def test_corrupt_or_missing_file():
    e = raises(ConfigError, config.parse, '{"interval_s": 60,')
    assert e.field == "config.json" and e.problem == config.SYNTAX
    e = raises(ConfigError, config.load, "no-such-config.json")
    assert e.field == "no-such-config.json" and e.problem == config.MISSING


def test_url_ports():
    assert config.split_url("mqtt://broker") == ("broker", 1883)
    assert config.split_url("mqtts://broker") == ("broker", 8883)
    assert config.split_url("mqtt://10.0.0.2:1884/") == ("10.0.0.2", 1884)
    cfg = config.parse('{"mqtt": {"url": "mqtts://b.example:8883"}}')
    assert cfg["mqtt"]["tls"] is True


def test_lora_keys_are_checked():
    keys = {"dev_eui": "246f28fffea1b2c3", "join_eui": "0000000000000000", "app_key": "00112233445566778899aabbccddeeff"}
    cfg = config.validate({"lora": keys})
    assert cfg["lora"] == {"region": "EU868", "dev_eui": "246F28FFFEA1B2C3", "join_eui": "0000000000000000",
                           "app_key": "00112233445566778899AABBCCDDEEFF", "dev_addr": None, "nwk_s_key": None,
                           "app_s_key": None, "payload": "compact", "confirmed": False, "adr": True, "dr": 5,
                           "fair_use": True, "rx1_delay_s": 1, "rx2_dr": 3}
    assert config.validate({})["lora"] is None
    for field, value in (("app_key", "0011"), ("dev_eui", "246f28fffea1b2cz"), ("region", "US915")):
        bad = dict(keys)
        bad[field] = value
        assert raises(ConfigError, config.validate, {"lora": bad}).field == "lora." + field
    for field, value in (("payload", "json"), ("dr", 6), ("confirmed", 1)):
        assert raises(ConfigError, config.validate, {"lora": dict(keys, **{field: value})}).field == "lora." + field
    del keys["app_key"]
    e = raises(ConfigError, config.validate, {"lora": keys})
    assert (e.field, e.problem) == ("lora.app_key", config.MISSING)


def test_the_uplink_is_lorawan_only_without_wifi_or_when_asked():
    keys = {"dev_eui": "246f28fffea1b2c3", "join_eui": "0000000000000000", "app_key": "00112233445566778899aabbccddeeff"}
    wifi = {"ssid": "hof", "password": "pw"}
    assert config.validate({"lora": keys})["uplink"] == "lorawan"
    assert config.validate({"lora": keys, "wifi": wifi})["uplink"] == "mqtt"  # a LoRa board at a Wi-Fi site
    assert config.validate({"lora": keys, "wifi": wifi, "uplink": "lorawan"})["uplink"] == "lorawan"
    assert config.validate({})["uplink"] == "mqtt"
    e = raises(ConfigError, config.validate, {"uplink": "lorawan"})
    assert (e.field, e.problem) == ("lora", config.MISSING)
    assert raises(ConfigError, config.validate, {"uplink": "zigbee"}).field == "uplink"


def test_lora_abp_session_instead_of_otaa_keys():
    abp = {"dev_eui": "246f28fffea1b2c3", "dev_addr": "260b1234", "nwk_s_key": "01" * 16, "app_s_key": "02" * 16,
           "payload": "cayenne", "confirmed": True, "rx1_delay_s": 5}
    lora = config.validate({"lora": abp})["lora"]
    assert (lora["dev_addr"], lora["join_eui"], lora["app_key"]) == ("260B1234", None, None)
    assert (lora["payload"], lora["confirmed"], lora["rx1_delay_s"], lora["rx2_dr"]) == ("cayenne", True, 5, 3)
    del abp["app_s_key"]
    e = raises(ConfigError, config.validate, {"lora": abp})
    assert (e.field, e.problem) == ("lora.app_s_key", config.MISSING)
    e = raises(ConfigError, config.validate, {"lora": dict(abp, app_s_key="02", dev_addr="260b12")})
    assert e.field == "lora.dev_addr"


def test_sensor_suite_defaults():
    cfg = config.parse('{"interval_s": 300, "sample_s": 30, "sensors": [{"type": "scd4x"}, {"type": "sds011"}, '
                       '{"type": "sht4x", "sample_s": 60, "filter": "mean"}, {"type": "bh1750"}]}')
    scd, sds, sht, light = cfg["sensors"]
    assert (scd["bus"], scd["addr"], scd["sample_s"]) == ("i2c0", 0x62, 30)
    assert (scd["mode"], scd["asc"], scd["altitude_m"], scd["stuck_after"]) == ("periodic", True, 0, 60)
    assert scd["filter"] == {"co2": 0, "temperature": 0, "humidity": 0}  # median
    assert sds["bus"] == "uart1" and "addr" not in sds and sds["stuck_after"] == 0
    assert sht["sample_s"] == 60 and sht["filter"] == {"temperature": 2, "humidity": 2}  # mean
    assert light["addr"] == 0x23 and light["change"] == {}


def test_sampling_interval_limits():
    cfg = config.parse('{"interval_s": 60, "sample_s": 1, "sensors": [{"type": "scd4x"}, {"type": "scd30"}]}')
    assert [s["sample_s"] for s in cfg["sensors"]] == [5, 2]  # they measure every 5 s and 2 s by themselves
    cases = [
        ('{"interval_s": 60, "sample_s": 120}', "sample_s", config.RANGE),
        ('{"interval_s": 3600, "sample_s": 10}', "sample_s", config.RANGE),  # a window of 360 samples
        ('{"sensors": [{"type": "scd4x", "sample_s": 2}]}', "sensors[0].sample_s", config.RANGE),
    ]
    for text, field, problem in cases:
        e = raises(ConfigError, config.parse, text)
        assert (e.field, e.problem) == (field, problem), (text, e.field, e.problem)


def test_suite_errors_name_the_field():
    cases = [
        ('{"sensors": [{"type": "sds011", "addr": 64}]}', "sensors[0].addr", config.UNKNOWN),
        ('{"sensors": [{"type": "sds011", "bus": "i2c0"}]}', "sensors[0].bus", config.TYPE),
        ('{"sensors": [{"type": "sht4x", "bus": "uart1"}]}', "sensors[0].bus", config.TYPE),
        ('{"sensors": [{"type": "sht4x", "filter": "average"}]}', "sensors[0].filter", config.CHOICE),
        ('{"sensors": [{"type": "sht4x", "filter": {"humidity": "max"}}]}', "sensors[0].filter.humidity", config.CHOICE),
        ('{"sensors": [{"type": "sht4x", "filter": {"co2": "mean"}}]}', "sensors[0].filter.co2", config.UNKNOWN),
        ('{"sensors": [{"type": "sht4x", "filter": 3}]}', "sensors[0].filter", config.TYPE),
        ('{"sensors": [{"type": "scd4x", "change": {"co2": -5}}]}', "sensors[0].change.co2", config.RANGE),
        ('{"sensors": [{"type": "scd4x", "change": {"co2": true}}]}', "sensors[0].change.co2", config.TYPE),
        ('{"sensors": [{"type": "scd4x", "change": {"pm10": 5}}]}', "sensors[0].change.pm10", config.UNKNOWN),
        ('{"sensors": [{"type": "sht4x", "stuck_after": 1}]}', "sensors[0].stuck_after", config.RANGE),
        ('{"sensors": [{"type": "scd4x", "mode": "fast"}]}', "sensors[0].mode", config.CHOICE),
        ('{"sensors": [{"type": "scd4x", "asc": "yes"}]}', "sensors[0].asc", config.TYPE),
        ('{"sensors": [{"type": "scd4x", "altitude_m": 4000}]}', "sensors[0].altitude_m", config.RANGE),
        ('{"sensors": [{"type": "scd30", "mode": "single"}]}', "sensors[0].mode", config.UNKNOWN),
        ('{"sensors": [{"type": "sht4x"}, {"type": "sht3x"}]}', "sensors[1].addr", config.CHOICE),
        ('{"sensors": [{"type": "sds011"}, {"type": "pms5003"}]}', "sensors[1].bus", config.CHOICE),
    ]
    for text, field, problem in cases:
        e = raises(ConfigError, config.parse, text)
        assert (e.field, e.problem) == (field, problem), (text, e.field, e.problem)
    ok = config.parse('{"sensors": [{"type": "sht4x"}, {"type": "sht3x", "addr": 69}, {"type": "sds011"}, '
                      '{"type": "pms5003", "bus": "uart2"}, {"type": "scd4x", "change": {"co2": 50, "temperature": 0.5}}]}')
    assert ok["sensors"][4]["change"] == {"co2": 50, "temperature": 0.5}


def test_every_type_publishes_what_the_config_knows():
    # config.py validates quantity names (filter, change) without importing the drivers
    from node.sensors import make
    from support import MemoryI2C, MemoryUART

    class Board:
        def i2c(self, name, overrides):
            return MemoryI2C({})

        def uart(self, name, baudrate):
            assert baudrate == 9600
            return MemoryUART()

    names = []
    for kind in config.SENSOR_TYPES:
        s = config.parse('{"sensors": [{"type": "%s"}]}' % kind)["sensors"][0]
        driver = make(s, Board(), {})
        assert tuple(q[0] for q in driver.quantities) == config._SENSORS[kind][2], kind
        names.append(kind)
    assert len(names) == 10


def test_delivery_settings():
    cfg = config.parse('{"sensors": []}')
    assert (cfg["deep_sleep"], cfg["send_window_s"], cfg["outbox_kb"]) == (False, 20, 256)
    assert (cfg["mqtt"]["ca"], cfg["mqtt"]["discovery"]) == ("ca.pem", False)
    cfg = config.parse('{"deep_sleep": true, "outbox_kb": 64, "mqtt": {"url": "mqtts://b", "ca": "my-ca.der", "discovery": true}}')
    assert cfg["deep_sleep"] and cfg["outbox_kb"] == 64 and cfg["mqtt"]["ca"] == "my-ca.der" and cfg["mqtt"]["discovery"]
    for text, field, problem in (('{"deep_sleep": 1}', "deep_sleep", config.TYPE),
                                 ('{"outbox_kb": 4}', "outbox_kb", config.RANGE),
                                 ('{"mqtt": {"discovery": "yes"}}', "mqtt.discovery", config.TYPE)):
        e = raises(ConfigError, config.parse, text)
        assert (e.field, e.problem) == (field, problem), text


def test_mqtts_needs_a_ca():
    e = raises(ConfigError, config.parse, '{"mqtt": {"url": "mqtts://b.example:8883", "ca": ""}}')
    assert (e.field, e.problem) == ("mqtt.ca", config.EMPTY)
    assert config.parse('{"mqtt": {"url": "mqtt://b.example:1883", "ca": ""}}')["mqtt"]["tls"] is False


def test_bytes_that_are_not_utf8_are_a_config_error_not_a_crash():
    with open("config.json", "wb") as f:
        f.write(b'{"site": "Hof-S\xfcd"}')  # Latin-1
    e = raises(ConfigError, config.load)
    assert (e.field, e.problem, e.detail) == ("config.json", config.UTF8, 15)
    for bad in (b'"\xed\xa0\x80"', b'"\xc0\x80"', b'"\xf4\x90\x80\x80"', b'"\xc3"'):  # MicroPython decodes some
        assert raises(ConfigError, config.parse, b'{"site": %s}' % bad).problem == config.UTF8
    assert config.parse('{"site": "Hof-S\u00fcd \U0001F600"}'.encode())["site"] == "Hof-S\u00fcd \U0001F600"


def test_only_standard_json():
    # MicroPython's json takes all of these; CPython's the first three: both sides now refuse them
    for text in ('{"interval_s": Infinity}', '{"interval_s": NaN}', '{"site": "\\ud800"}', '{"site": "a" "device": "b"}',
                 '{"site" "a"}', '{"interval_s": 60,}', '{"sensors": [,]}', '{1: 2}', '{"interval_s": 060}',
                 '{"interval_s": 60.}', '{"site": "\\q"}', '{"site": "a\tb"}', '{"a": 1} x', "[" * 9 + "]" * 9, ""):
        assert raises(ConfigError, config.parse, text).problem == config.SYNTAX, text
    assert config.parse('{"interval_s": 60, "wifi": {"ssid": "\\u00e4\\/"}}')["wifi"]["ssid"] == "\u00e4/"


def test_limits_keep_the_config_within_the_heap():
    e = raises(ConfigError, config.parse, '{"wifi": {"ssid": "%s"}}' % ("x" * 33))
    assert (e.field, e.problem, e.detail) == ("wifi.ssid", config.LONG, 32)
    assert config.parse('{"wifi": {"ssid": "%s"}}' % ("\u00e4" * 16))["wifi"]["ssid"] == "\u00e4" * 16  # 32 bytes
    sensors = ", ".join('{"type": "bh1750", "name": "l%d", "addr": %d}' % (i, 8 + i) for i in range(config.MAX_SENSORS + 1))
    e = raises(ConfigError, config.parse, '{"sensors": [%s]}' % sensors)
    assert (e.field, e.problem, e.detail) == ("sensors", config.MANY, config.MAX_SENSORS)
    with open("config.json", "w") as f:
        f.write('{"wifi": {"ssid": "%s"}}' % ("x" * 10000))
    e = raises(ConfigError, config.load)
    assert (e.field, e.problem, e.detail) == ("config.json", config.LONG, config.MAX_BYTES)


def test_what_the_host_once_took_and_the_node_could_not_use():
    cases = [
        ('{"i2c": {"i2c\u0661": {}}}', "i2c.i2c\u0661"),  # an Arabic-Indic digit: isdigit() on CPython
        ('{"sensors": [{"type": "bme280", "bus": "i2c\uff11"}]}', "sensors[0].bus"),
        ('{"sensors": [{"type": "bme280", "bus": "i2c01"}]}', "sensors[0].bus"),
        ('{"mqtt": {"url": "mqtt://h:\uff11\uff18\uff18\uff13"}}', "mqtt.url"),  # full-width digits: int() on CPython
        ('{"mqtt": {"url": "mqtt://h:+1883"}}', "mqtt.url"),
        ('{"mqtt": {"url": "mqtt://h:1883:1883"}}', "mqtt.url"),
        ('{"mqtt": {"url": "mqtt://user@h:1883"}}', "mqtt.url"),
        ('{"mqtt": {"url": null}}', "mqtt.url"),
        ('{"mqtt": {"prefix": "a\\nb"}}', "mqtt.prefix"),
        ('{"device": "rl#1"}', "device"),
        ('{"site": "hof+"}', "site"),
        ('{"site": "hof/nord"}', "site"),
        ('{"site": ""}', "site"),
        ('{"ntp": ""}', "ntp"),
        ('{"sensors": [{"type": "bme280", "name": "a/b"}]}', "sensors[0].name"),
        ('{"sensors": [{"type": "bme280", "bus": null}]}', "sensors[0].bus"),
        ('{"sensors": [{"type": "bme280", "change": {"temperature": 1e300}}]}', "sensors[0].change.temperature"),
    ]
    for text, field in cases:
        assert raises(ConfigError, config.parse, text).field == field, text
    cfg = config.parse('{"mqtt": {"url": "mqtt://broker-1.example.org:1884"}, "site": "Hof S\u00fcd"}')
    assert (cfg["mqtt"]["host"], cfg["mqtt"]["port"], cfg["site"]) == ("broker-1.example.org", 1884, "Hof S\u00fcd")


def test_two_bad_keys_name_the_same_one_on_every_port():
    e = raises(ConfigError, config.parse, '{"zz": 1, "colour": 2, "aa": 3}')
    assert e.field == "aa"
