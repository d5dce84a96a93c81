import json

from node.codec.state_json import encode_state as fill_parts, parts_needed


class Channel:
    # what the codec reads from a node.pipeline.Channel after summarize()
    def __init__(self, name, health, quantities, out=(), n=0, flags=()):
        self.name, self.health, self.quantities = name, health, quantities
        self.summary, self.n, self.flags = out, n, flags


T = ("temperature", "°C", 2, -4000, 8500)
P = ("pressure", "hPa", 2, 30000, 110000)


def encode_state(device, seq, time_s, channels, node=None):
    parts = [b"stale"] * parts_needed(channels)  # what a previous message left in the list
    fill_parts(parts, device, seq, time_s, channels, node)
    for p in parts:
        assert isinstance(p, bytes)  # no new str: each costs a look through the interned strings
    return b"".join(parts).decode()


def test_fixed_point_text():
    def readings(decimals, value, lo, hi):
        c = Channel("s", "ok", (("q", "u", decimals, -10**6, 10**6),), [value, lo, hi], 1)
        return encode_state("d", 0, None, [c]).split('"q":')[1].split("}")[0] + "}"

    assert readings(2, 2153, -5, 0) == '{"value":21.53,"unit":"u","n":1,"min":-0.05,"max":0.00}'
    assert readings(2, 100653, -2153, 100653) == '{"value":1006.53,"unit":"u","n":1,"min":-21.53,"max":1006.53}'
    assert readings(1, -120, -1, 9) == '{"value":-12.0,"unit":"u","n":1,"min":-0.1,"max":0.9}'
    assert readings(3, 7, -1000, 1001) == '{"value":0.007,"unit":"u","n":1,"min":-1.000,"max":1.001}'
    assert readings(0, 7, -3, 812) == '{"value":7,"unit":"u","n":1,"min":-3,"max":812}'


def test_state_message_bytes():
    ok = Channel("bme280", "ok", (T, P), [2508, 2500, 2510, 100653, 100650, 100660], 6)
    gone = Channel("sht", "absent", (("humidity", "%RH", 2, 0, 10000),))
    text = encode_state("hof-01", 7, 1778716800, [ok, gone])
    assert text == (
        '{"v":1,"device":"hof-01","seq":7,"time":1778716800,"readings":{"bme280":{'
        '"temperature":{"value":25.08,"unit":"°C","n":6,"min":25.00,"max":25.10},'
        '"pressure":{"value":1006.53,"unit":"hPa","n":6,"min":1006.50,"max":1006.60}}},'
        '"health":{"bme280":"ok","sht":"absent"}}'
    )
    doc = json.loads(text)
    assert "sht" not in doc["readings"]  # never a value from an unhealthy sensor


def test_the_nodes_own_diagnostics():
    text = encode_state("hof-01", 7, None, [], (3912, -67, "0123456789abcdef", "watchdog", 86400, 41216))
    assert text.endswith('"health":{},"node":{"battery_mv":3912,"rssi_dbm":-67,"firmware":"0123456789abcdef",'
                         '"reset":"watchdog","uptime_s":86400,"heap_free":41216}}')
    doc = json.loads(encode_state("x", 1, None, [], (None, None, None, "power", 5, 100)))
    assert doc["node"] == {"battery_mv": None, "rssi_dbm": None, "firmware": None, "reset": "power", "uptime_s": 5,
                           "heap_free": 100}


def test_quality_flags_and_several_sensors():
    a = Channel("a", "ok", (T,), [2000, 1990, 2010], 4, ("missed",))
    b = Channel("b", "stale", (T,))
    c = Channel("c", "ok", (("co2", "ppm", 0, 250, 40000),), [812, 790, 830], 5, ("missed", "rejected"))
    doc = json.loads(encode_state("x", 1, 0, [a, b, c]))
    assert doc["readings"]["a"]["temperature"]["flags"] == ["missed"]
    assert doc["readings"]["c"]["co2"] == {"value": 812, "unit": "ppm", "n": 5, "min": 790, "max": 830,
                                           "flags": ["missed", "rejected"]}
    assert doc["health"] == {"a": "ok", "b": "stale", "c": "ok"}


def test_unknown_wall_time_is_null():
    doc = json.loads(encode_state('a"b', 0, None, []))
    assert doc["time"] is None and doc["device"] == 'a"b'
