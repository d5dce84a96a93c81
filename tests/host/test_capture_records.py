"""Capture on the host: the frame reader, the one place that normalises frames into trace records
(reallabor.traces.captured), value-level records from state messages, the trace tools (cut,
merge, info) and every bad input of `reallabor capture` and `reallabor trace cut|merge`."""

import binascii
import json

import pytest

from reallabor.errors import ReallaborError
from reallabor.firmware import console
from reallabor.traces import captured, fileformat, tools, valuelevel

HEADER = {"format": "reallabor-trace", "version": 1, "board": "esp32-devkitc", "source": "captured",
          "start": "2026-05-14T09:00:00Z", "interval_ms": 60000,
          "sensors": [{"type": "sht4x", "bus": "i2c0", "addr": 68}]}


def line(kind, seq, tick, *fields) -> str:
    """A frame as firmware/hal/record.py writes it."""
    body = " ".join(["rl1", kind, str(seq), str(tick), *map(str, fields)])
    return "\x1e" + body + " %08x" % binascii.crc32(body.encode())


def feed(cap, *lines, host_ms=None):
    for text in lines:
        try:
            f = console.frame(text)
        except console.DamagedFrame:
            cap.damaged_line()
            continue
        cap.feed(f, host_ms)
    return cap


def boot(epoch=None):
    """H and T of a boot (T with the node's wall time at tick 0 + 5 ms, or none yet)."""
    return [line("H", 0, 0, 1, "console"), line("T", 0, 5, "-" if epoch is None else epoch + 5)]


def test_frames_are_told_from_everything_else():
    f = console.frame(line("u", 5, 60040, "uart1", "x", "aac0"))
    assert (f.kind, f.seq, f.tick, f.fields) == ("u", 5, 60040, ("uart1", "x", "aac0"))
    assert console.frame("60040 I pub reallabor/hof/x/state 321") is None
    assert console.frame(">>> ") is None
    assert console.frame(">>> " + line("T", 0, 1, "-")).kind == "T"  # after a prompt without its newline
    good = line("i", 1, 2, "i2c0", 118, "m", "d060", 120, 0)
    for bad in (good[:-3], good.replace("d060", "d061"), "\x1erl1 x y"):
        with pytest.raises(console.DamagedFrame):
            console.frame(bad)
    assert console.parse(good) is None  # and the log reader does not take it for a log line


def test_transactions_become_records_a_replay_fails_the_same_way():
    cap = feed(captured.Capture(), *boot(1778749200000),
               line("b", 0, 0, "i2c0", 100000),
               line("i", 1, 10, "i2c0", 68, "w", "fd", 40, 0),
               line("i", 2, 19, "i2c0", 68, "r", "613b0f69b0a8", 40 + captured.wire_us(6, 100000), 0),
               line("i", 3, 20, "i2c0", 69, "w", "2400", 0, 19),  # no acknowledge
               line("i", 4, 30, "i2c0", 97, "m", "0300", captured.wire_us(2, 100000) + 30000, 0),
               line("i", 5, 31, "i2c0", 97, "m", "03", 13100, 116),  # the controller gave up waiting
               line("i", 6, 32, "i2c0", 68, "w", "89", 0, 5),  # a failed command is not remembered
               line("i", 7, 33, "i2c0", 68, "r", "-", 0, 5),  # a bus error: no bytes
               line("i", 8, 34, "i2c0", 118, "M", "f425", 30, 0),
               line("b", 9, 40, "uart1", 9600),
               line("u", 10, 40, "uart1", "t", "aab4"),
               line("u", 11, 80, "uart1", "x", "aac0ab"))
    assert cap.start_ms() == 1778749200000
    assert cap.records() == [
        {"t": 10, "bus": "i2c0", "addr": 68, "w": "fd"},
        {"t": 19, "bus": "i2c0", "addr": 68, "w": "fd", "r": "613b0f69b0a8"},  # keyed by the command
        {"t": 20, "bus": "i2c0", "addr": 69, "ack": False},
        {"t": 30, "bus": "i2c0", "addr": 97, "w": "03", "r": "00", "stretch_us": 30000},
        {"t": 31, "bus": "i2c0", "addr": 97, "w": "03", "r": "", "stretch_us": 13101},
        {"t": 33, "bus": "i2c0", "addr": 68, "w": "fd", "r": ""},
        {"t": 34, "bus": "i2c0", "addr": 118, "w": "f425"},
        {"t": 40, "bus": "uart1", "w": "aab4", "rx": ""},
        {"t": 80, "bus": "uart1", "rx": "aac0ab"},
    ]


def test_the_hal_s_own_overhead_is_no_clock_stretching():
    cap = feed(captured.Capture(), *boot(), line("b", 0, 0, "i2c0", 400000),
               line("i", 1, 1, "i2c0", 118, "m", "d060", captured.wire_us(2, 400000) + 180, 0))
    assert "stretch_us" not in cap.records()[0]


def test_lost_and_damaged_frames_and_a_reconnect_are_gaps():
    good = [line("b", 0, 0, "i2c0", 400000)] + [line("i", n, n * 1000, "i2c0", 118, "m", "d060", 100, 0)
                                                 for n in range(1, 8)]
    cap = captured.Capture()
    feed(cap, *boot(), *good[:3], good[5])  # 3 and 4 never came
    feed(cap, good[6][:-4])  # cut short
    cap.disconnected()
    feed(cap, good[7])
    records = cap.records(0)
    gaps = [r for r in records if "gap" in r]
    assert gaps == [{"t": 5000, "gap": "lost", "from": 2000, "frames": 2},
                    {"t": 7000, "gap": "disconnected", "from": 5000, "frames": 1}]
    assert cap.lost == 3 and cap.damaged == 1
    assert [r["t"] for r in records] == sorted(r["t"] for r in records)


def test_boots_are_placed_by_their_wall_time():
    start = 1778749200000
    cap = feed(captured.Capture(), *boot(start), line("i", 0, 100, "i2c0", 118, "m", "d060", 0, 0),
               line("E", 1, 200, 0),  # a deep sleep
               *boot(start + 60_000), line("i", 0, 100, "i2c0", 118, "m", "d060", 0, 0),  # no E: the power went
               *boot(start + 180_000), line("i", 0, 50, "i2c0", 118, "m", "d060", 0, 0))
    records = cap.records()
    assert [r["t"] for r in records if "addr" in r] == [100, 60_100, 180_050]
    assert [r for r in records if "gap" in r] == [{"t": 180_050, "gap": "reboot", "from": 60_100}]


def test_ticks_that_wrap_are_unwrapped():
    period = captured.TICKS_PERIOD
    cap = feed(captured.Capture(), *boot(), line("i", 0, period - 10, "i2c0", 118, "m", "d060", 0, 0),
               line("i", 1, 5, "i2c0", 118, "m", "d060", 0, 0))
    assert [r["t"] for r in cap.records(0)] == [period - 10, period + 5]


def test_a_replay_that_asks_a_little_early_or_late_gets_the_captured_answers():
    # what a capture saw: a BME280 sampled each minute at +10 ms, an SCD30 that vanished and came back
    seen = [{"t": 10, "bus": "i2c0", "addr": 118, "w": "f425"},
            {"t": 11, "bus": "i2c0", "addr": 118, "w": "f7", "r": "aa"},
            {"t": 20, "bus": "i2c0", "addr": 97, "ack": False},
            {"t": 60010, "bus": "i2c0", "addr": 118, "w": "f425"},
            {"t": 60011, "bus": "i2c0", "addr": 118, "w": "f7", "r": "bb"},
            {"t": 70000, "bus": "i2c0", "addr": 97, "w": "0202", "r": "0001"},
            {"t": 80000, "bus": "uart1", "w": "aab4", "rx": ""},
            {"t": 80040, "bus": "uart1", "rx": "aac0ab"}]
    records = captured.loosened(seen)
    assert [r["t"] for r in records] == sorted(r["t"] for r in records)
    in_force = {(r.get("addr"), r.get("w"), r.get("r")): r["t"] for r in records}
    assert in_force[(118, "f7", "aa")] == 0  # a first answer from the start
    assert in_force[(118, "f7", "bb")] == 30011  # halfway since the same question: a ms off still gets it
    assert [r["t"] for r in records if r.get("w") == "f425"] == [0, 30010]
    assert in_force[(97, None, None)] == 20 and in_force[(97, "0202", "0001")] == 70000  # only once back
    assert in_force[(None, "aab4", None)] == 0 and in_force[(None, None, None)] == 80040  # bytes sent stay
    assert sorted(map(str, [dict(r, t=0) for r in records])) == sorted(map(str, [dict(r, t=0) for r in seen]))


def test_the_header_keeps_nothing_of_the_config_but_sensors_interval_and_buses():
    config = {"device": "rl-a1b2c3", "interval_s": 30, "sample_s": 10, "i2c": {"i2c0": {"freq": 100000}},
              "wifi": {"ssid": "x", "password": "wifi-Geheimnis-4711"}, "mqtt": {"password": "mqtt-geheim"},
              "lora": {"app_key": "00112233445566778899AABBCCDDEEFF"},
              "sensors": [{"type": "sht4x", "name": "air", "secret": "nope"}, {"type": "bh1750", "sample_s": 30}]}
    h = captured.header("esp32-devkitc", 1778749200250, config, "test", "rl-a1b2c3")
    assert h["start"] == "2026-05-14T09:00:00.250Z" and fileformat.parse_start(h["start"]) == 1778749200250
    assert h["interval_ms"] == 30000 and h["i2c"] == {"i2c0": {"freq": 100000}}
    assert h["sensors"] == [{"type": "sht4x", "name": "air", "sample_s": 10}, {"type": "bh1750", "sample_s": 30}]
    text = json.dumps(h)
    for secret in ("wifi-Geheimnis-4711", "mqtt-geheim", "00112233445566778899"):
        assert secret not in text


def state(seq, time_s, health, readings=None):
    return json.dumps({"v": 1, "device": "rl-a1b2c3", "seq": seq, "time": time_s, "readings": readings or {},
                       "health": health, "node": {"uptime_s": 1}})


def test_state_messages_become_value_records():
    vc = valuelevel.ValueCapture()
    t0 = 1778749200
    ok = {"air": {"temperature": {"value": 21.50, "unit": "°C", "n": 6, "min": 21.4, "max": 21.6},
                  "humidity": {"value": -0.05, "unit": "%RH", "n": 6, "min": 0, "max": 0}},
          "pm": {"pm2_5": {"value": 12.3, "unit": "µg/m³", "n": 1, "min": 12.3, "max": 12.3},
                 "pm10": {"value": 20.0, "unit": "µg/m³", "n": 1, "min": 20, "max": 20}}}
    assert vc.add(state(0, None, {"air": "warming_up", "pm": "warming_up"}))  # no time yet: left out
    assert vc.add(state(1, t0, {"air": "ok", "pm": "ok"}, ok).replace('21.5,', '21.50,'))
    assert not vc.add(state(1, t0, {"air": "ok", "pm": "ok"}, ok))  # a QoS 1 duplicate
    assert vc.add(state(2, t0 + 60, {"air": "absent", "pm": "ok"}, {"pm": ok["pm"]}))
    assert not vc.add("not json") and not vc.add('{"state":"online"}')
    header, records = vc.trace()
    assert vc.untimed == 1 and header["interval_ms"] == 60000 and header["device"] == "rl-a1b2c3"
    assert header["sensors"] == [
        {"type": "sht4x", "name": "air", "bus": "i2c0", "addr": 0x44, "stuck_after": 0,
         "quantities": [["temperature", "°C", 2], ["humidity", "%RH", 2]]},
        {"type": "sds011", "name": "pm", "bus": "uart1", "stuck_after": 0,
         "quantities": [["pm2_5", "µg/m³", 1], ["pm10", "µg/m³", 1]]}]
    assert records == [
        {"t": 0, "sensor": "air", "health": "ok", "values": {"temperature": 2150, "humidity": -5}},
        {"t": 0, "sensor": "pm", "health": "ok", "values": {"pm2_5": 123, "pm10": 200}},
        {"t": 60000, "sensor": "air", "health": "absent"},
        {"t": 60000, "sensor": "pm", "health": "ok", "values": {"pm2_5": 123, "pm10": 200}},
    ]


def write(path, header, records):
    fileformat.write(path, header, records)
    return path


def test_a_cut_carries_the_state_at_its_start(tmp_path):
    src = write(tmp_path / "a.jsonl", dict(HEADER, end_ms=600_000), [
        {"t": 0, "bus": "i2c0", "addr": 68, "w": "fd", "r": "0000"},
        {"t": 0, "bus": "i2c0", "addr": 68, "w": "89"},
        {"t": 0, "bus": "i2c0", "addr": 69, "w": "2400", "r": "01"},
        {"t": 0, "bus": "uart1", "w": "aab4", "rx": "aac0"},
        {"t": 10_000, "bus": "uart1", "rx": "ffff"},  # sent on its own: gone after the cut
        {"t": 60_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "1111"},
        {"t": 70_000, "bus": "i2c0", "addr": 69, "ack": False},
        {"t": 80_000, "fault": "network_down"},
        {"t": 90_000, "fault": "cut", "packet": "PUBACK"},
        {"t": 120_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "2222"},
        {"t": 200_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "3333"},
    ])
    header, records = tools.cut(src, 100_000, 180_000)
    assert header["start"] == "2026-05-14T09:01:40Z" and header["end_ms"] == 80_000
    assert records == [
        {"t": 0, "bus": "i2c0", "addr": 68, "w": "89"},
        {"t": 0, "bus": "i2c0", "addr": 69, "w": "2400", "r": "01"},
        {"t": 0, "bus": "uart1", "w": "aab4", "rx": "aac0"},
        {"t": 0, "bus": "i2c0", "addr": 68, "w": "fd", "r": "1111"},
        {"t": 0, "fault": "network_down"},
        {"t": 0, "bus": "i2c0", "addr": 69, "ack": False},  # after its answers: it does not answer
        {"t": 20_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "2222"},
    ]
    out = write(tmp_path / "cut.jsonl", header, records)
    assert not fileformat.check(out)[1]


def test_merge_puts_two_captures_on_one_timeline(tmp_path):
    a = write(tmp_path / "a.jsonl", dict(HEADER, end_ms=120_000), [{"t": 0, "bus": "i2c0", "addr": 68, "w": "fd"}])
    b = write(tmp_path / "b.jsonl", dict(HEADER, start="2026-05-14T09:10:00Z"),
              [{"t": 5000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "00"}])
    header, records = tools.merge(b, a)  # either order
    assert header["start"] == "2026-05-14T09:00:00Z" and header["end_ms"] == 605_000
    assert records == [{"t": 0, "bus": "i2c0", "addr": 68, "w": "fd"},
                       {"t": 605_000, "gap": "uncaptured", "from": 120_000},
                       {"t": 605_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "00"}]
    other = write(tmp_path / "c.jsonl", dict(HEADER, board="tbeam"), [])
    with pytest.raises(ReallaborError) as e:
        tools.merge(a, other)
    assert e.value.key == "trace.merge_differ" and e.value.params["field"] == "board"


@pytest.mark.parametrize("text, ms", [("90", 5_400_000), ("90m", 5_400_000), ("1.5h", 5_400_000),
                                      ("5400s", 5_400_000), ("1:30", 5_400_000), ("1:30:05", 5_405_000),
                                      ("250ms", 250)])
def test_times_as_people_write_them(text, ms):
    assert tools.parse_time(text) == ms


def test_new_records_are_validated(tmp_path):
    h = dict(HEADER, sensors=[{"type": "sht4x", "name": "air", "quantities": [["temperature", "°C", 2]]}])
    path = write(tmp_path / "v.jsonl", h, [
        {"t": 0, "sensor": "air", "health": "ok", "values": {"temperature": 2150}},
        {"t": 1, "sensor": "nobody", "health": "ok"},
        {"t": 2, "sensor": "air", "health": "fine"},
        {"t": 3, "sensor": "air", "health": "ok", "values": {"temperature": 21.5}},
        {"t": 4, "gap": "lost", "from": 1, "frames": 2},
        {"t": 5, "gap": "gone", "from": 9},
    ])
    summary, problems = fileformat.check(path)
    assert [(p.line, p.params.get("name")) for p in problems] == [(3, "sensor"), (4, "health"), (5, "values"),
                                                                  (7, "gap"), (7, "from")]
    assert fileformat.is_value_level(path)


def captured_trace(tmp_path):
    return write(tmp_path / "cap.jsonl", dict(HEADER, device="rl-a1b2c3"), [
        {"t": 0, "bus": "i2c0", "addr": 68, "w": "fd"},
        {"t": 90_000, "gap": "disconnected", "from": 30_000, "frames": 4},
        {"t": 120_000, "bus": "i2c0", "addr": 68, "w": "fd", "r": "00"},
    ])


def test_trace_info_tells_captured_from_synthetic_and_shows_gaps(tmp_path, cli):
    path = captured_trace(tmp_path)
    en = cli("trace", "info", path, "--lang", "en")
    assert en.returncode == 0
    assert "source: captured (recorded from a device)" in en.stdout
    assert "device: rl-a1b2c3" in en.stdout
    assert "one gap, 60.0 s in all" in en.stdout
    assert "gap from 0:00:30 for 60.0 s: the port was disconnected (frames lost: 4)" in en.stdout
    de = cli("trace", "info", path)
    assert "aufgezeichnet" in de.stdout and "Verbindung zum Port unterbrochen" in de.stdout
    synthetic = cli("trace", "info", "traces/sht4x-1h.jsonl", "--lang", "en")
    assert "synthetic (made by a program)" in synthetic.stdout and "gap" not in synthetic.stdout


def test_trace_cut_and_merge_on_the_command_line(tmp_path, cli):
    out = tmp_path / "cut.jsonl"
    done = cli("trace", "cut", "traces/sht4x-1h.jsonl", "--from", "10", "--to", "20", "--out", out, "--lang", "en")
    assert done.returncode == 0 and "cut written" in done.stdout, done.stderr
    s = fileformat.load(out)
    assert s.header["start"] == "2026-05-14T09:10:00Z" and s.end_ms == 600_000
    merged = tmp_path / "merged.jsonl"
    done = cli("trace", "merge", out, captured_trace(tmp_path), "--out", merged, "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert fileformat.load(merged).header["source"] == "captured"


@pytest.mark.parametrize("args, key_text", [
    (("capture", "--out", "x.jsonl"), "Give either --port"),
    (("capture", "--port", "/dev/null", "--broker", "mqtt://h:1", "--out", "x.jsonl"), "Give either --port"),
    (("capture", "--broker", "mqtt://h:1", "--out", "x.jsonl"), "--broker needs --device"),
    (("capture", "--broker", "mqtt://h:1", "--device", "x", "--from-flash", "--out", "x.jsonl"), "--from-flash needs --port"),
    (("capture", "--port", "/dev/ttyNOPE9", "--minutes", "0", "--out", "x.jsonl"), "--minutes 0.0: a number > 0"),
    (("capture", "--port", "/dev/ttyNOPE9", "--from-flash", "--minutes", "5", "--out", "x.jsonl"), "does not apply"),
    (("capture", "--port", "/dev/ttyNOPE9", "--out", "x.jsonl"), "Port /dev/ttyNOPE9 does not exist"),
    (("capture", "--port", "/dev/ttyNOPE9", "--out", "traces"), "is a directory"),
    (("capture", "--broker", "http://h", "--device", "x", "--out", "x.jsonl"), "Broker address http://h not understood"),
    (("trace", "cut", "traces/sht4x-1h.jsonl", "--from", "soon", "--out", "x.jsonl"), 'Time "soon" not understood'),
    (("trace", "cut", "traces/sht4x-1h.jsonl", "--from", "20", "--to", "10", "--out", "x.jsonl"), "--to must come after"),
    (("trace", "cut", "traces/sht4x-1h.jsonl", "--from", "5h", "--out", "x.jsonl"), "lies past the end"),
    (("trace", "merge", "traces/scd30-1h.jsonl", "traces/sps30-1h.jsonl", "--out", "x.jsonl"),
     "do not belong together"),
])
def test_bad_input_says_what_to_do(args, key_text, cli, tmp_path):
    args = tuple(str(tmp_path / a) if a == "x.jsonl" else a for a in args)
    done = cli(*args, "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    assert key_text in done.stderr, done.stderr
    german = cli(*args)
    assert german.returncode == 2 and german.stderr != done.stderr


def test_the_documented_frames_are_frames():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "console-log.md").read_text(encoding="utf-8")
    shown = [line.replace("␞", "\x1e") for line in doc.splitlines() if line.startswith("␞rl1 ")]
    assert len(shown) >= 6
    cap = feed(captured.Capture(), *shown)
    assert cap.frames == len(shown) and not cap.damaged and not cap.lost
    assert cap.start_ms() == 1778749200000
