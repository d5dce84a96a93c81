"""The fault script against a real Mosquitto: every scenario of ours delivers every sampled reading,
exactly once after de-duplication by sequence number, under -X heapsize=128K. Short versions of
the `make faults` scenarios; the comparison transport (umqtt.simple) loses readings."""

import pytest

from reallabor.sim import replay, scenarios
from reallabor.errors import ReallaborError

SCENARIOS = {s.name: s for s in scenarios.standard_scenarios(quick=True)}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_loses_nothing(name):
    scenario = SCENARIOS[name]
    c = scenarios.run_scenario(scenario, heap="128K")
    assert not c.crashed
    assert c.sampled >= 25 and c.lost == 0 and c.duplicates == 0, c
    if name.startswith("cut at"):
        assert c.cuts == sum(f["fault"] == "cut" for f in scenario.faults)  # each cut really happened
    if "power losses" in name:
        assert c.boots > 5  # killed and restarted again and again


def test_cut_at_puback_is_redelivered_and_deduplicated():
    c = scenarios.run_scenario(SCENARIOS["cut at PUBACK"])
    assert c.copies >= 1 and c.lost == 0 and c.duplicates == 0  # the broker had it: a copy came twice


def test_deep_sleep_status_says_when_the_node_wakes(tmp_path):
    scenario = scenarios.Scenario("sleep", 0.25, [], {"deep_sleep": True})
    path = scenarios.write_trace(scenario, tmp_path / "t.jsonl")
    config = {"site": "s", "interval_s": 300, "deep_sleep": True, "sensors": [{"type": "bme280"}]}
    result = replay.run(path, config=config)
    assert result.returncode == 0 and result.boots == 4  # woke at 0, 5, 10, 15 min
    assert [m.payload["seq"] for m in result.states] == [0, 1, 2, 3]
    statuses = [m.payload for m in result.messages if m.topic.endswith("/status")]
    start = 1778716800
    # each wake-up: online, then sleeping with the next slot; a clean DISCONNECT, so never offline
    assert statuses == [s for k in range(1, 5) for s in
                        ({"state": "online", "dropped": 0}, {"state": "sleeping", "dropped": 0, "wake": start + 300 * k})]
    # after the power-up the RTC knows no time until NTP answered; the deep sleeps keep it
    assert [m.payload["time"] for m in result.states] == [None] + [start + 300 * k for k in range(1, 4)]


def test_umqtt_simple_loses_readings_in_the_same_outage():
    try:
        from bench.faults import umqtt_transport

        c = scenarios.run_scenario(SCENARIOS["network outage 1 h"], transport=umqtt_transport())
    except ReallaborError as e:
        if e.key == "faults.umqtt_download":
            pytest.skip("PyPI not reachable for umqtt.simple")
        raise
    assert c.lost == 60  # every reading of the hour without network
