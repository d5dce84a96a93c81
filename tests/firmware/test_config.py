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
