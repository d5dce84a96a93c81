"""End to end with the sensor suite: every driver replays its synthetic hour through the real
firmware and a real Mosquitto and publishes what the room model put in; every fault trace ends with
the right health while the other sensor keeps publishing; the 24 h day with every sensor on one
node runs in the 128K heap budget."""

from decimal import Decimal
from pathlib import Path

import pytest

from reallabor.sim import replay
from reallabor.traces import synthetic

ROOT = Path(__file__).resolve().parents[2]
TRACES = ROOT / "traces"

# Published resolution, and how far a value may lie from the model: one step of the resolution,
# one BH1750 count (0.83 lx), float32 precision for the SCD30.
TOLERANCE = {"temperature": Decimal("0.01"), "humidity": Decimal("0.01"), "pressure": Decimal("0.01"),
             "co2": Decimal(1), "pm1": Decimal(0), "pm2_5": Decimal(0), "pm4": Decimal(0), "pm10": Decimal(0),
             "illuminance": Decimal("0.9")}
DECIMALS = {"sds011": 1, "bh1750": 1}  # particulate matter in 0.1 ug/m3 (SDS011), light in 0.1 lx


def expected(kind: str, air: dict) -> dict:
    out = {}
    for q, v in synthetic.reading(kind, air).items():
        places = 0 if q in ("co2", "pm1", "pm2_5", "pm4", "pm10") and kind != "sds011" else 2
        places = DECIMALS.get(kind, places) if q != "temperature" and q != "humidity" else places
        out[q] = Decimal(round(v, places)).quantize(Decimal(1).scaleb(-places))
    return out


def check_values(name: str, kind: str, state: dict, air: dict) -> None:
    got = state["readings"][name]
    for q, want in expected(kind, air).items():
        value = got[q]["value"]
        assert abs(value - want) <= TOLERANCE[q], (name, q, value, want, state["time"])
        assert got[q]["n"] == 1 and got[q]["min"] == value == got[q]["max"]


NORMAL = ["sht4x", "sht3x", "scd4x", "scd41-single-shot", "scd30", "sps30", "sds011", "pms5003", "bh1750"]
WARMING = {"scd4x", "scd41-single-shot", "scd30", "sps30", "sds011", "pms5003"}  # no reading at minute 0


@pytest.mark.parametrize("name", NORMAL)
def test_each_driver_publishes_the_room(broker, name):
    result = replay.run(TRACES / f"{name}-1h.jsonl", broker_url=broker.url)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # every command the driver sent is in the trace
    kind = "scd4x" if name.startswith("scd4") else name
    air = synthetic.room_day(synthetic.MORNING + synthetic.HOUR_MINUTES)[synthetic.MORNING:]
    states = [m.payload for m in result.states]
    assert len(states) == 60
    first = 1 if name in WARMING else 0
    if first:
        assert states[0]["health"] == {kind: "warming_up"} and states[0]["readings"] == {}
    for minute, state in enumerate(states[first:], start=first):
        assert state["health"] == {kind: "ok"}
        check_values(kind, kind, state, air[minute])
    # 09:00 on; the first reading of the power-up comes before NTP answered
    assert [s["time"] for s in states] == [None] + [1778716800 + 9 * 3600 + 60 * k for k in range(1, 60)]


# trace -> (sensor, health it ends with, first minute of the fault)
FAULTS = {
    "sht4x-crc-error": ("sht4x", "checksum_error", 30),
    "sht3x-stops-answering": ("sht3x", "absent", 40),
    "scd4x-stale": ("scd4x", "stale", 30),
    "scd4x-stuck": ("scd4x", "stuck", 79),  # the same reading from minute 20 on; the 60th in a row is stuck
    "scd30-out-of-range": ("scd30", "out_of_range", 30),
    "bh1750-stops-answering": ("bh1750", "absent", 30),
    "sds011-silent": ("sds011", "absent", 1),  # known once the first query went unanswered
    "sds011-goes-silent": ("sds011", "stale", 30),
    "sds011-checksum": ("sds011", "checksum_error", 30),
    "pms5003-garbage": ("pms5003", "checksum_error", 40),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_ends_with_the_right_health_and_the_other_sensor_goes_on(broker, name):
    sensor, health, since = FAULTS[name]
    result = replay.run(TRACES / f"{name}.jsonl", broker_url=broker.url)
    assert result.returncode == 0, result.stderr
    states = [m.payload for m in result.states]
    assert states[-1]["health"][sensor] == health
    other = next(k for k in states[-1]["health"] if k != sensor)
    for minute, state in enumerate(states):
        if minute >= since:
            assert state["health"][sensor] == health, (minute, state["health"])
            assert sensor not in state["readings"]  # never a value from the faulty sensor
        assert state["health"][other] == "ok" and other in state["readings"], (minute, state)
    if since > 1:
        assert sensor in states[since - 1]["readings"]  # it worked before
    assert any(f"sensor {sensor}: {health}" in w for w in result.warnings)


def test_noise_around_frames_does_not_hide_the_values(broker):
    result = replay.run(TRACES / "pms5003-garbage.jsonl", broker_url=broker.url)
    air = synthetic.room_day(synthetic.MORNING + synthetic.HOUR_MINUTES)[synthetic.MORNING:]
    states = [m.payload for m in result.states]
    for minute in range(1, 40):  # noise before, inside and after every reply; a fake header too
        check_values("pms5003", "pms5003", states[minute], air[minute])


def test_sensor_plugged_in_late(broker):
    result = replay.run(TRACES / "sps30-appears-late.jsonl", broker_url=broker.url)
    states = [m.payload for m in result.states]
    health = [s["health"]["sps30"] for s in states]
    assert set(health[:20]) == {"absent"}
    assert health[-1] == "ok" and "sps30" in states[-1]["readings"]
    assert health.index("ok") == 21  # plugged in at minute 20: 30 s of airflow, read at the next sample


def check_day(result, kinds):
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    states = [m.payload for m in result.states]
    assert len(states) == 24 * 60
    assert [s["seq"] for s in states] == list(range(24 * 60))
    assert list(states[0]["health"]) == ["bme280", *kinds]
    slow = {"scd4x", "scd30", "sps30", "sds011", "pms5003"} & set(kinds)
    assert {k for k, v in states[0]["health"].items() if v == "warming_up"} == slow
    air = synthetic.room_day()
    for minute, state in enumerate(states[1:], start=1):
        assert set(state["health"].values()) == {"ok"}, (minute, state["health"])
        for name in kinds:
            check_values(name, name, state, air[minute])
    co2 = [s["readings"]["scd4x"]["co2"]["value"] for s in states[1:]]
    lux = [s["readings"]["bh1750"]["illuminance"]["value"] for s in states[1:]]
    assert max(co2) > 1000 and min(co2) < 500  # a full room in the evening workshop, fresh air at night
    assert lux[2 * 60] == 0 and max(lux) > 5000  # dark at 02:00, daylight on the window sill


def test_workshop_kit_day_in_the_ram_budget(broker):
    result = replay.run(TRACES / "makerspace-24h-kit.jsonl", broker_url=broker.url)  # default heap 128K
    assert result.heap_peak < result.heap_total == 128 * 1024  # the firmware's live heap within its budget
    check_day(result, synthetic.KIT_DAY)


def test_day_with_every_driver_on_one_node(broker):
    # Every driver at once is more bytecode than the 128K stand-in holds on the 64-bit unix port
    # (`make bench` prints what it needs); this checks that they all work side by side.
    result = replay.run(TRACES / "makerspace-24h-multi.jsonl", broker_url=broker.url, heap="256K")
    check_day(result, synthetic.MULTI_DAY)
