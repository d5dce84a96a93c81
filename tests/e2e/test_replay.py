"""End to end: the firmware in unix-port MicroPython replays a trace and publishes to a real
Mosquitto; an independent paho-mqtt subscriber checks every cycle's message."""

import json
import os
import queue
import re
from pathlib import Path

import paho.mqtt.client as paho
import pytest

from reallabor import env
from reallabor.sim import replay
from reallabor.traces import synthetic

ROOT = Path(__file__).resolve().parents[2]
DAY = ROOT / "traces" / "courtyard-24h-bme280.jsonl"
START_S = 1778716800  # 2026-05-14T00:00:00Z, the sample's start


@pytest.fixture
def subscriber(broker):
    received = queue.Queue()
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, m: received.put((m.topic, m.payload))
    subscribed = []
    client.on_subscribe = lambda *a: subscribed.append(True)
    client.connect("127.0.0.1", broker.port)
    client.subscribe("#", qos=1)
    client.loop_start()
    while not subscribed:
        pass
    yield received
    client.loop_stop()
    client.disconnect()


def drain(q):
    out = []
    while True:
        try:
            out.append(q.get(timeout=2))
        except queue.Empty:
            return out


def test_every_cycle_arrives_in_order_with_the_expected_values(broker, subscriber):
    result = replay.run(DAY, broker_url=broker.url)
    assert result.returncode == 0, result.stderr
    got = drain(subscriber)
    states = [json.loads(p) for t, p in got if t == "reallabor/replay/replay-01/state"]
    assert len(states) == 24 * 60
    assert [s["seq"] for s in states] == list(range(24 * 60))
    # wall time comes with NTP, after the first reading of the power-up
    assert [s["time"] for s in states] == [None] + [START_S + 60 * k for k in range(1, 24 * 60)]
    # The values the synthetic day was made from come back through driver, codec and broker.
    for s, (t, p, rh) in zip(states, synthetic.courtyard_day(24 * 60, seed=1)):
        r = s["readings"]["bme280"]
        assert r["temperature"] == {"value": round(t, 2), "unit": "°C", "n": 1, "min": round(t, 2), "max": round(t, 2)}
        assert r["pressure"]["value"] == round(p, 2) and r["pressure"]["unit"] == "hPa"
        # one humidity ADC step is ~0.015 %RH here, so not every 0.01 is reachable
        assert abs(r["humidity"]["value"] - rh) <= 0.02 and r["humidity"]["unit"] == "%RH"
        assert s["health"] == {"bme280": "ok"}
    statuses = [json.loads(p)["state"] for t, p in got if t.endswith("/status")]
    assert statuses == ["online", "offline"]
    assert result.heap_peak < result.heap_total == 128 * 1024  # the firmware's live heap within its budget


def test_modules_from_a_romfs_image_leave_their_bytecode_out_of_the_heap(broker):
    # As on a board with a ROMFS partition: the day is the same, the live heap far smaller
    # (make bench: the courtyard day then runs within 72K)
    on_flash = replay.run(DAY, broker_url=broker.url, heap="128K")
    from_rom = replay.run(DAY, broker_url=broker.url, heap="80K", romfs=True)  # with modules on flash it needs 92K
    assert from_rom.returncode == 0, from_rom.stderr
    assert [m.payload["seq"] for m in from_rom.states] == list(range(24 * 60))
    assert from_rom.heap_peak < on_flash.heap_peak - 16 * 1024


def test_replay_is_deterministic(broker):
    # every byte but the free heap, which depends on when the broker's answers arrive in real time
    # (the garbage present at the moment differs)
    def sent(result):
        return [(m.t, m.topic, re.sub(r'"heap_free":\d+', "", m.raw)) for m in result.messages]

    first = replay.run(DAY, broker_url=broker.url)
    second = replay.run(DAY, broker_url=broker.url)
    assert sent(first) == sent(second)
    assert len(first.messages) == 1442


def test_embedded_broker_and_bmp280(tmp_path):
    result = replay.run(ROOT / "traces" / "courtyard-2h-bmp280.jsonl")  # starts its own Mosquitto
    assert result.returncode == 0
    assert len(result.states) == 120
    first = result.states[0].payload["readings"]["bmp280"]
    assert set(first) == {"temperature", "pressure"}
    # sent once stored: + 6.4 ms max. measurement time, + 1.3 ms to program the record (two pages of
    # data and one of metadata) and rounding (the flash's time is taken in whole ms, the rest carried
    # over: the head line appended after the first PUBACK took 0.9 ms); the first after the Wi-Fi
    # join and NTP of the power-up; the third + 45 ms for erasing a 4 KB sector (the records and
    # heads written so far filled the first)
    assert [m.t for m in result.states][:3] == [1680, 60_009, 120_053]


# main.py with a bug in delivery on the first boot: the uplink task dies at reading 3, which ends
# the node at its next cycle (app.Node.run), while the watchdog is armed
BUG_AT_THREE = """
import hal
board = hal.load()
from node import app
from node.uplink import Uplink

class BuggyUplink(Uplink):
    async def _publish(self, seq, topic, payload, retain):
        if seq == 3 and board.reset_cause() == "power":
            raise RuntimeError("a bug met at reading 3")
        return await super()._publish(seq, topic, payload, retain)

app.main(board, BuggyUplink)
"""


def test_an_app_that_dies_with_its_watchdog_armed_is_reset_by_it_and_the_replay_goes_on(tmp_path, broker):
    # A board left in its REPL by an uncaught exception is reset when its watchdog bites: the
    # next boot sends what the outbox kept. The crash still counts (the first crash's exit code).
    main = tmp_path / "main.py"
    main.write_text(BUG_AT_THREE)
    result = replay.run(ROOT / "traces" / "courtyard-2h-bmp280.jsonl", broker_url=broker.url, main=main)
    assert result.returncode == 1 and "RuntimeError: a bug met at reading 3" in result.stderr
    # last fed at the cycle of reading 3 (180,009 ms), bitten one interval and the slack later
    assert result.boots == 2 and result.warnings == ["300009 W sim watchdog reset (the app ended)"]
    # readings 3 and 4 waited in the outbox; the slots after the reset are the new boot's (the
    # schedule starts anew: the last slot falls after the trace's end)
    assert [m.payload["seq"] for m in result.states] == list(range(119)) == sorted(result.sampled)
    # what the technician sees: the reset cause in each reading's node section (docs/payload.md)
    assert [m.payload["node"]["reset"] for m in result.states] == ["power"] * 5 + ["watchdog"] * 114


def test_a_watchdog_not_fed_in_time_resets_the_board(tmp_path, broker):
    # a cycle that hangs: the first boot arms 1 s and never feeds it; the next one just ends
    main = tmp_path / "main.py"
    main.write_text("import hal\nboard = hal.load()\nimport asyncio\nboard.setup()\n"
                    "async def hang():\n    await asyncio.sleep(10)\n"
                    "if board.reset_cause() == 'power':\n    board.watchdog(1000)\n    asyncio.run(hang())\n"
                    "board.stopped()\n")
    result = replay.run(ROOT / "traces" / "courtyard-2h-bmp280.jsonl", broker_url=broker.url, main=main)
    assert result.returncode == 0 and result.boots == 2 and result.warnings == ["1000 W sim watchdog reset"]


def test_a_firmware_that_crashes_at_every_boot_ends_the_replay(tmp_path, broker):
    main = tmp_path / "main.py"
    main.write_text("import hal\nboard = hal.load()\nboard.watchdog(1000)\nraise RuntimeError('at boot')\n")
    result = replay.run(ROOT / "traces" / "courtyard-2h-bmp280.jsonl", broker_url=broker.url, main=main)
    assert result.returncode == 1 and result.boots == 2
    assert "crashed 2 times in a row before a reading" in result.stderr


def _children() -> dict[int, str]:
    """This process's child processes -> their command lines."""
    pids = []
    for task in Path("/proc/self/task").iterdir():
        pids += (task / "children").read_text().split()
    return {int(p): Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace") for p in pids}


@pytest.mark.skipif(env.board_cpu() is None, reason="needs Linux and two CPUs or more")
def test_a_replayed_board_and_its_broker_share_one_cpu_and_the_host_keeps_off_it(broker):
    # They take turns (the board waits for each PUBACK); on a VM an idle CPU is slow to wake.
    cpu = env.board_cpu()
    mine = os.sched_getaffinity(0)
    seen = []

    def on_message(m):
        if not seen:
            boards = [pid for pid, cmd in _children().items() if "micropython" in cmd]
            seen.append((os.sched_getaffinity(0), [os.sched_getaffinity(pid) for pid in boards]))

    result = replay.run(ROOT / "traces" / "courtyard-2h-bmp280.jsonl", broker_url=broker.url, on_message=on_message)
    assert result.returncode == 0 and len(result.states) == 120
    assert os.sched_getaffinity(broker.process.pid) == {cpu}
    (host, boards), = seen
    assert cpu not in host and boards == [{cpu}]
    assert os.sched_getaffinity(0) == mine  # the host's CPUs are its own again


def test_sensor_missing_from_the_trace(broker):
    result = replay.run(ROOT / "traces" / "missing-sensor-bme280.jsonl", broker_url=broker.url)
    assert result.returncode == 0
    assert len(result.states) == 61
    assert all(m.payload["health"] == {"bme280": "absent"} and m.payload["readings"] == {} for m in result.states)
    assert result.sensor_errors == {("bme280", "absent"): 61}
    assert any("sensor bme280: absent" in w for w in result.warnings)
