import json

from node.codec.state_json import encode_state, fixed


class Sensor:
    def __init__(self, name, health, quantities, values):
        self.name, self.health, self.quantities, self.values = name, health, quantities, values


def test_fixed_point_text():
    assert fixed(2153, 2) == "21.53"
    assert fixed(-5, 2) == "-0.05"
    assert fixed(0, 2) == "0.00"
    assert fixed(100653, 2) == "1006.53"
    assert fixed(-120, 1) == "-12.0"
    assert fixed(7, 0) == "7"


def test_state_message_bytes():
    ok = Sensor("bme280", "ok", (("temperature", "°C", 2), ("pressure", "hPa", 2)), [2508, 100653])
    gone = Sensor("sht", "absent", (("humidity", "%RH", 2),), [0])
    text = encode_state("hof-01", 7, 1778716800, [ok, gone])
    assert text == (
        '{"v":1,"device":"hof-01","seq":7,"time":1778716800,"readings":{"bme280":{'
        '"temperature":{"value":25.08,"unit":"°C","n":1,"min":25.08,"max":25.08},'
        '"pressure":{"value":1006.53,"unit":"hPa","n":1,"min":1006.53,"max":1006.53}}},'
        '"health":{"bme280":"ok","sht":"absent"}}'
    )
    doc = json.loads(text)
    assert "sht" not in doc["readings"]  # never a value from an unhealthy sensor


def test_unknown_wall_time_is_null():
    doc = json.loads(encode_state('a"b', 0, None, []))
    assert doc["time"] is None and doc["device"] == 'a"b'
