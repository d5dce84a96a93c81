# The compact LoRaWAN payload and CayenneLPP (node.codec.compact, node.codec.cayenne) against the
# shared vectors tests/vectors/compact-payload.json; tests/host/test_uplink_decoder.py decodes the
# same bytes with decoders/reallabor.js.
import json

from node import config, sensors
from node.codec import cayenne, compact


def vectors():
    with open(__file__.rsplit("/", 2)[0] + "/vectors/compact-payload.json") as f:
        return json.load(f)


class Channel:
    # what the codec reads from a node.pipeline.Channel after summarize(); summary holds value, min, max
    def __init__(self, name, health, quantities, values=()):
        self.name, self.health, self.quantities = name, health, quantities
        self.n = 1
        self.summary = []
        for v in values:
            self.summary += [v, v - 1, v + 1]


def channels(doc, entries):
    table = {}
    table.update(doc["sensors"])
    table.update(doc["synthetic_sensors"])
    return [Channel(c["name"], c["health"], tuple(tuple(q) for q in table[c["type"]]), c.get("values", ()))
            for c in entries]


def test_vectors_encode_to_their_bytes():
    doc = vectors()
    for v in doc["encode"]:
        encode = {compact.FPORT: compact.encode, cayenne.FPORT: cayenne.encode}[v["fport"]]
        assert encode(v["seq"], channels(doc, v["channels"])).hex() == v["bytes"], v["description"]


class Board:
    def i2c(self, bus, overrides):
        return object()

    def uart(self, bus, baud):
        return object()


def drivers():
    # every sensor type, made as the app makes it -> {type: quantities}
    out = {}
    for kind in config.SENSOR_TYPES:
        cfg = config.validate({"sensors": [{"type": kind}]})["sensors"][0]
        out[kind] = sensors.make(cfg, Board(), {}).quantities
    return out


def test_vector_sensor_table_is_what_the_drivers_declare():
    table = vectors()["sensors"]
    found = drivers()
    assert sorted(table) == sorted(found)
    for kind, quantities in found.items():
        assert [list(q) for q in quantities] == table[kind], kind


def test_every_plausible_value_fits_its_field_unclamped():
    # the pipeline only passes values in the driver's plausible range; those never need clamping
    fields = {f[0]: f for f in compact.FIELDS}
    for kind, quantities in drivers().items():
        for name, _, decimals, lo, hi in quantities:
            f = fields.get(name)
            if f:
                for v in (lo, hi):
                    code = compact.scale(v, decimals, f[1], f[2], f[3], -10**9, 10**9)
                    assert 0 <= code <= f[5], (kind, name, v, code)
                    assert code < 1 << f[4]


def test_health_codes_cover_every_health_name():
    names = [getattr(sensors, a) for a in dir(sensors) if a.isupper() and isinstance(getattr(sensors, a), str)]
    assert sorted(names) == sorted(compact.HEALTH)
    assert compact.HEALTH[0] == sensors.OK and len(compact.HEALTH) < compact.OTHER
    assert compact.health_code("no such health") == compact.OTHER


def test_all_six_in_11_bytes():
    # docs/lorawan.md: with all six quantities, 11 bytes while sensors + 4 * (sensors not ok) <= 8
    doc = vectors()
    full = doc["encode"][0]["channels"]  # BME280, SCD4x, SDS011
    light = {"name": "x", "type": "bh1750", "health": "ok", "values": [5]}
    for extra_ok in range(5):
        for extra_bad in range(3):
            extra = [light] * extra_ok + [dict(light, health="absent")] * extra_bad
            reported = (full + extra)[:compact.MAX_SENSORS]
            bad = len([c for c in reported if c["health"] != "ok"])
            payload = compact.encode(1, channels(doc, full + extra))
            assert (len(payload) <= 11) == (len(reported) + 4 * bad <= 8), (extra_ok, extra_bad, len(payload))
    # CayenneLPP of the same six readings: 23 bytes of values + seq + health
    assert len(cayenne.encode(1, channels(doc, full))) == 23 + 3 + 3 * 3


def test_first_configured_sensor_of_a_quantity_wins():
    t = ("temperature", "°C", 2, -4000, 12500)
    a = Channel("a", "ok", (t,), (2000,))
    b = Channel("b", "ok", (t,), (3000,))
    assert compact.reading([a, b], "temperature") == (2000, 2)
    assert compact.reading([b, a], "temperature") == (3000, 2)
    a.health = "stale"
    assert compact.reading([a, b], "temperature") is None  # no stand-in
    assert compact.reading([a, b], "co2") is None


def test_scale_rounds_halves_up_and_clamps():
    assert compact.scale(2235, 2, 2, -4000, 10, 0, 2047) == 624  # 22.35 -> 22.4
    assert compact.scale(-1235, 2, 2, -4000, 10, 0, 2047) == 277  # -12.35 -> -12.3
    assert compact.scale(125, 1, 1, 0, 10, 0, 1023) == 13  # 12.5 -> 13
    assert compact.scale(12, 0, 1, 0, 10, 0, 1023) == 12  # a driver with fewer decimals
    assert compact.scale(21234, 3, 2, -4000, 10, 0, 2047) == 612  # and with more: 21.234 -> 21.2
    assert compact.scale(-5000, 2, 2, -4000, 10, 0, 2047) == 0
    assert compact.scale(99999, 2, 2, -4000, 10, 0, 2047) == 2047


def test_encode_allocates_little():
    # once per message: the output, a scratch buffer and small tuples (64-bit unix port sizes)
    import gc

    doc = vectors()
    chs = channels(doc, doc["encode"][1]["channels"])
    compact.encode(1, chs)
    gc.collect()
    before = gc.mem_alloc()
    compact.encode(2, chs)
    cayenne.encode(2, chs)
    used = gc.mem_alloc() - before
    assert used < 1200, used
