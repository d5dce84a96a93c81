"""Bad traces and options are bad input (exit 2, a message that says what and where, no traceback),
what `trace validate` accepts the replay runs, and validation reads a line of any length in bounded
memory (issue 16, points 10 to 12)."""

import json
import os
import subprocess
import sys

import pytest
from reallabor.env import ROOT
from reallabor.traces import fileformat

SAMPLE = ROOT / "traces" / "bh1750-1h.jsonl"
HEADER = json.loads(SAMPLE.read_text().splitlines()[0])


def trace(tmp_path, header=None, records=(), name="t.jsonl"):
    path = tmp_path / name
    lines = [json.dumps(HEADER if header is None else header)] + [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n")
    return path


def bad(done, *words):
    """exit 2 and every word in what it said"""
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    for w in words:
        assert w in said, said


def test_deep_nesting_is_a_problem_of_its_line(tmp_path, cli):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + "[" * 1000 + "]" * 1000 + "\n")
    bad(cli("trace", "validate", path), "Zeile 2: zu tief verschachtelt")
    bad(cli("replay", path), "kein gültiger Trace")
    config = tmp_path / "config.json"
    config.write_text("[" * 100_000)
    bad(cli("replay", SAMPLE, "--config", config), "zu tief verschachtelt")


def test_nesting_json_reads_but_a_check_would_recurse_on(tmp_path, cli, data_dir):
    """900 levels: Python's JSON reader takes them, the site profile's check then overflowed the stack."""
    deep = '{"a":' * 900 + "1" + "}" * 900
    site = data_dir / "sites" / "tief.json"
    site.parent.mkdir()
    site.write_text(deep)
    site.chmod(0o600)
    bad(cli("site", "check", "tief", data=data_dir), "tief.json: zu tief verschachtelt")
    path = trace(tmp_path, dict(HEADER, description=json.loads(deep)))
    bad(cli("trace", "validate", path), "Zeile 1: zu tief verschachtelt")


def test_numbers_json_has_not_are_problems(tmp_path, cli):
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(HEADER) + '\n{"t": 1' + "0" * 5000 + '}\n{"t": NaN}\n')
    bad(cli("trace", "validate", path), "Zeile 2: Zahl", "Zeile 3: Zahl")


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", "1999-12-31T23:59:59Z",
                                   "2110-01-01T00:00:00Z"])
def test_start_out_of_range(tmp_path, cli, start):
    path = trace(tmp_path, dict(HEADER, start=start))
    for command in (("trace", "validate"), ("trace", "info"), ("trace", "cut", "--out", tmp_path / "o.jsonl")):
        bad(cli(*command[:2], path, *command[2:]), 'Zeile 1: Kopfzeile: Feld "start"', "2000-01-01")


def test_a_trace_that_ends_after_the_last_start_is_refused(tmp_path, cli):
    path = trace(tmp_path, dict(HEADER, start="2109-12-31T00:00:00Z", end_ms=fileformat.MAX_MS))
    bad(cli("trace", "validate", path), "2110-01-01")


@pytest.mark.parametrize("sensors, field", [([1], "sensors[0]"), ([{"type": "bh1750", "addr": "x"}], "sensors[0].addr"),
                                            ([{"type": "bh1750", "bus": 3}], "sensors[0].bus"),
                                            ([{"type": "bh1750", "power_up_ms": -1}], "sensors[0].power_up_ms")])
def test_header_sensor_entries_are_checked(tmp_path, cli, sensors, field):
    path = trace(tmp_path, dict(HEADER, sensors=sensors))
    bad(cli("trace", "info", path), f'Zeile 1: Kopfzeile: Feld "{field}"')


@pytest.mark.parametrize("header", [dict(HEADER, interval_ms=True), dict(HEADER, interval_ms=10 ** 30),
                                    dict(HEADER, sensors=[{"type": "nosuch"}]), dict(HEADER, description=["x"])])
def test_header_fields_a_replay_uses_are_checked(tmp_path, cli, header):
    bad(cli("trace", "validate", trace(tmp_path, header)), "Zeile 1: Kopfzeile")


def test_the_header_must_make_a_config_the_device_takes(tmp_path):
    _, problems = fileformat.check(trace(tmp_path, dict(HEADER, sensors=[{"type": "nosuch"}])))
    assert [p.key for p in problems] == ["trace.header_config"]


@pytest.mark.parametrize("record, field", [
    ({"t": 10 ** 20, "fault": "network_down"}, 'Feld "t"'),
    ({"t": 0, "bus": "i2c0", "addr": 35, "w": "10", "r": "00" * 513}, 'Feld "r"'),
    ({"t": 0, "bus": "i2c0", "addr": 35, "w": "10", "r": "00" * 40_000}, "Zeile länger als 16384 Bytes"),
    ({"t": 0, "bus": "uart1", "rx": "00" * 513}, 'Feld "rx"'),
    ({"t": 0, "bus": "i2c0", "addr": 35, "w": "10", "r": "00", "stretch_us": 10 ** 18}, 'Feld "stretch_us"'),
])
def test_records_beyond_what_the_simulator_holds(tmp_path, cli, record, field):
    bad(cli("trace", "validate", trace(tmp_path, records=[record])), f"Zeile 2: {field}")


def test_too_many_different_answers(tmp_path):
    records = [{"t": 0, "bus": "i2c0", "addr": 35, "w": f"{i:04x}", "r": "00"} for i in range(fileformat.MAX_KEYS + 1)]
    _, problems = fileformat.check(trace(tmp_path, records=records))
    assert [(p.key, p.line) for p in problems] == [("trace.too_many_keys", fileformat.MAX_KEYS + 2)]


def test_cr_only_line_ends_are_refused(tmp_path, cli):
    path = tmp_path / "cr.jsonl"
    path.write_bytes(SAMPLE.read_bytes().replace(b"\n", b"\r"))
    bad(cli("trace", "validate", path), "Zeile 1: Zeilenenden nur mit CR")


def test_surrogate_escapes_are_refused(tmp_path, cli):
    path = trace(tmp_path, dict(HEADER, description="\ud800"))
    bad(cli("trace", "info", path), "Zeile 1:", "\\ud800")
    backslash = trace(tmp_path, dict(HEADER, description="\\ud800"))  # a backslash and text: fine
    assert fileformat.check(backslash)[1] == []


def test_what_validates_replays_blank_line_and_crlf(tmp_path, cli):
    """A blank line before the header and CR LF line ends: valid, and the simulator reads them too
    (it stopped with `syntax error in JSON` at the blank line, the host skipped it)."""
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\r\n \r\n" + SAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    assert cli("trace", "validate", path).returncode == 0
    done = cli("replay", path, "--lang", "en", timeout=180)
    assert done.returncode == 0, done.stderr
    assert "sensor errors: 0" in done.stdout.lower(), done.stdout


@pytest.mark.parametrize("option, value, words", [
    ("--speed", "nan", ["--speed nan"]), ("--speed", "1e-300", ["--speed 1e-300"]), ("--speed", "inf", ["--speed inf"]),
    ("--heap", "0", ["--heap 0"]), ("--heap", "999999M", ["--heap 999999M"]),
    ("--broker", "http://x", ["http://x"]), ("--broker", "mqtt://127.0.0.1:99999", ["mqtt://127.0.0.1:99999"]),
    ("--broker", "mqtt://\udcff@127.0.0.1:1883", ["mqtt://"]),
])
def test_replay_options_are_checked(cli, option, value, words):
    bad(cli("replay", SAMPLE, option, value), *words)


def test_faults_checks_heap_first(cli):
    bad(cli("faults", "--heap", "999999M"), "--heap 999999M")


@pytest.mark.parametrize("site", ["\udced\udca0\udc80", "a/#", "+"])
def test_site_names_are_checked_before_they_go_into_topics(cli, site, tmp_path):
    bad(cli("monitor", "--site", site, "--broker", "mqtt://127.0.0.1:1"), "Standortname")
    bad(cli("inventory", "list", "--site", site, data=tmp_path), "Standortname")
    bad(cli("export", "mosquitto", "--out", tmp_path / "x", "--site", site, data=tmp_path), "Standortname")


def test_cut_times_beyond_any_trace_are_bad_input(tmp_path, cli):
    for value in ("9" * 5000, "9" * 300 + "h", "99999999:00"):
        bad(cli("trace", "cut", SAMPLE, "--to", value, "--out", tmp_path / "o.jsonl"), value[:20])


# Prints the process's own peak resident memory (VmHWM, kB) as it exits. Not the wait status's
# ru_maxrss: Linux carries the parent's resident size over into the child's at exec, and pytest's
# grows to some 200 MB over the whole suite.
_PEAK_AT_EXIT = """import atexit, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    sys.__stderr__.write("VmHWM " + status.split("VmHWM:")[1].split()[0] + "\\n")
atexit.register(peak)
sys.argv = ["reallabor"] + sys.argv[1:]
runpy.run_module("reallabor.cli", run_name="__main__")
"""


def peak_rss_mb(*args) -> float:
    """The peak resident memory of `reallabor ARGS`, in MB (Linux)."""
    done = subprocess.run([sys.executable, "-c", _PEAK_AT_EXIT, *map(str, args)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "host")}, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    return int(done.stderr.rsplit("VmHWM ", 1)[1].split()[0]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_huge_line_costs_bounded_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("w") as f:
        f.write(json.dumps(HEADER) + '\n{"t": 0, "bus": "i2c0", "addr": 35, "w": "10", "r": "')
        chunk = "00" * (1 << 19)
        for _ in range(30):  # 30 MB of hex
            f.write(chunk)
        f.write('"}\n')
    _, problems = fileformat.check(path)
    assert [(p.key, p.line) for p in problems] == [("trace.line_too_long", 2)]
    assert peak_rss_mb("trace", "validate", path) < 150  # was 60 bytes per byte: 1.8 GB
