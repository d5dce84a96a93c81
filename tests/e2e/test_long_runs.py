"""Long replays, shortened from the bench's 30 days: an always-on node across the ESP32's ticks
wrap (2**30 ms, about 12.4 days) in one MicroPython process, and a deep-sleep node through a day
of wakes. Wall time, uptime and the sequence never jump."""

from reallabor.firmware import console
from reallabor.sim import replay
from reallabor.traces import fileformat, synthetic


def test_an_always_on_node_runs_across_the_ticks_wrap(broker, tmp_path):
    trace = synthetic.courtyard_days(tmp_path / "13-days.jsonl", days=13, every_min=10)
    result = replay.run(trace, broker_url=broker.url)
    assert result.returncode == 0 and result.boots == 1, result.stderr
    states = [m.payload for m in result.states]
    assert [s["seq"] for s in states] == list(range(13 * 144))
    times = [s["time"] for s in states[1:]]  # the first is taken before NTP has answered
    assert all(b - a == 600 for a, b in zip(times, times[1:]))  # no jump at the wrap (day 12.4)
    uptimes = [e.uptime_ms for e in map(console.parse, result.console) if e]
    assert uptimes == sorted(uptimes) and uptimes[0] >= 0 and uptimes[-1] > 2**30


def test_a_sleeping_node_wakes_on_schedule_through_a_day(broker, tmp_path):
    trace = synthetic.courtyard_days(tmp_path / "1-day.jsonl", days=1, every_min=30)
    config = {**fileformat.default_config(fileformat.load(trace).header), "deep_sleep": True}
    result = replay.run(trace, broker_url=broker.url, config=config)
    assert result.returncode == 0, result.stderr
    states = [m.payload for m in result.states]
    assert [s["seq"] for s in states] == list(range(48)) and result.boots == 48
    times = [s["time"] for s in states[1:]]
    assert all(b - a == 1800 for a, b in zip(times, times[1:]))  # each wake in its slot
    assert all(s["health"] == {"bme280": "ok"} for s in states)
