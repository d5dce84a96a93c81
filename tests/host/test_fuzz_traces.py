"""A seeded fuzz test of our own over traces and the trace and replay options (issue 16, point 13):
every trace command ends with exit 0 or 2, without a traceback, an internal error or a hang; what
cut writes validates again; and a sample of the fuzzed traces that validate replays without a
firmware crash. Mutations start from the short sample traces: some break a trace on purpose (bytes,
line ends, nasty values in any field), some keep it valid (fewer or repeated records, other bytes
in an answer, fault events, blank lines, CR LF) so that the replays have something to run."""

import copy
import io
import json
import random
import signal
from contextlib import redirect_stderr, redirect_stdout

import pytest
from reallabor.cli.main import main
from reallabor.env import ROOT
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.mqtt.url import parse_url
from reallabor.sim import replay
from reallabor.traces import fileformat, tools

SEED = 16
INPUTS = 300
REPLAYS = 6
SAMPLES = sorted((ROOT / "traces").glob("*-1h.jsonl"))
NASTY = [None, True, False, -1, 0, 1, 127, 128, 2 ** 31, 2 ** 63, 10 ** 20, 1e20, -0.5, "x", "", "i2c0", "uart1",
         "i2c9", "00", "000", "zz", "00" * 513, "\ud800", "é", "network_down", [], {}, [1], [{}], {"a": 1}, [[[]]]]
FIELDS = ["t", "bus", "addr", "w", "r", "rx", "ack", "stretch_us", "fault", "packet", "off_ms", "gap", "from",
          "sensor", "values", "radio", "phy", "sf", "freq_hz"]
HEADER_FIELDS = ["format", "version", "board", "source", "start", "sensors", "interval_ms", "end_ms", "i2c", "lora",
                 "device", "description"]
STARTS = ["2026-05-14T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", "2109-12-31T23:00:00Z",
          "2026-05-14", "x", 5]
TIMES = ["0", "10", "1h", "1:30", "250ms", "90s", "9" * 30, "-1", "x", "1e9", "99999999:00", ""]
OPTIONS = ["max", "realtime", "60", "0", "-1", "nan", "inf", "1e-300", "1e300", "0.001", "128K", "16K", "64M", "0K",
           "999999M", "1e3", "mqtt://127.0.0.1:1883", "mqtt://127.0.0.1:99999", "mqtt://u@h", "http://x",
           "mqtt://\udcff@h:1", "mqtts://[::1]:8883", "mqtt://h:0", "", "\udcff"]


class Hang(BaseException):
    """an input that took too long (main() catches every Exception, not this)"""


def _alarm(signum, frame):
    raise Hang()


def reallabor(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--lang", "en", *map(str, args)])
    return code, out.getvalue() + err.getvalue()


def mutate(rng: random.Random, objs: list) -> tuple[list, bool]:
    """(objects, meant to stay valid)"""
    objs = copy.deepcopy(objs)
    header, records = objs[0], objs[1:]
    gentle = rng.random() < 0.4
    for _ in range(rng.randint(1, 3)):
        if gentle:
            op = rng.choice(["drop", "repeat", "bytes", "fault", "ack", "interval", "end"])
            i = rng.randrange(len(records)) if records else 0
            if op == "drop" and records:
                del records[i]
            elif op == "repeat" and records:
                records.insert(i, dict(records[i]))
            elif op == "bytes":
                for r in records:
                    for k in ("r", "rx"):
                        if k in r and rng.random() < 0.3:
                            r[k] = bytes(rng.randrange(256) for _ in range(len(r[k]) // 2)).hex()
            elif op == "fault" and records:
                t = records[i]["t"]
                records.insert(i, {"t": t, "fault": rng.choice(["network_down", "network_up", "flash_full",
                                                                 "flash_free"])})
            elif op == "ack" and records and "addr" in records[i]:
                records.insert(i, {"t": records[i]["t"], "bus": records[i]["bus"], "addr": records[i]["addr"],
                                   "ack": rng.random() < 0.5})
            elif op == "interval":
                header["interval_ms"] = rng.choice([5000, 30000, 60000, 120000])
            elif op == "end":
                header["end_ms"] = rng.choice([1, 600_000, 3_600_000, 5_400_000])
            continue
        target = header if rng.random() < 0.3 or not records else rng.choice(records)
        names = HEADER_FIELDS if target is header else FIELDS
        name = rng.choice(names + list(target))
        choice = rng.random()
        if choice < 0.15:
            target.pop(name, None)
        elif name == "start" and choice < 0.6:
            target[name] = rng.choice(STARTS)
        elif name == "sensors" and choice < 0.6:
            target[name] = [dict(s, **{rng.choice(["addr", "bus", "type", "power_up_ms", "i2c_max_hz"]):
                                       rng.choice(NASTY)}) for s in target.get(name, [{}])]
        else:
            target[name] = rng.choice(NASTY)
    return [header, *records], gentle


def serialise(rng: random.Random, objs: list) -> bytes:
    text = "\n".join(json.dumps(o, ensure_ascii=rng.random() < 0.5) for o in objs) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    op = rng.random()
    if op < 0.1:
        data = data.replace(b"\n", b"\r\n")
    elif op < 0.15:
        data = data.replace(b"\n", b"\r")
    elif op < 0.25:
        data = b"\n \n" + data.replace(b"\n", b"\n\n", 3)
    elif op < 0.35:
        at = rng.randrange(len(data))
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[at + 1:]
    elif op < 0.4:
        data = data[:rng.randrange(len(data))]
    elif op < 0.45:
        at = data.index(b"\n") + 1
        data = data[:at] + rng.choice([b"[" * 3000 + b"\n", b'{"t": NaN}\n', b'{"t": 1' + b"0" * 5000 + b"}\n",
                                       b'{"t": 0, "bus": "i2c0", "addr": 35, "r": "' + b"0" * 40000 + b'"}\n']) + data[at:]
    return data


def test_fuzzed_traces_and_options(tmp_path, cli):
    rng = random.Random(SEED)
    originals = {p: [json.loads(line) for line in p.read_text().splitlines() if line.strip()] for p in SAMPLES}
    candidates = []  # (path, made by a gentle mutation): valid fuzzed traces a replay may run
    outcomes = {0: 0, EXIT_BAD_INPUT: 0}
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for n in range(INPUTS):
            sample = rng.choice(SAMPLES)
            objs, gentle = mutate(rng, originals[sample])
            path = tmp_path / f"f{n}.jsonl"
            path.write_bytes(serialise(rng, objs))
            other = rng.choice(SAMPLES if rng.random() < 0.5 else [path, tmp_path / f"f{max(0, n - 1)}.jsonl"])
            commands = [("trace", "validate", path), ("trace", "info", path),
                        ("trace", "cut", path, "--from", rng.choice(TIMES), "--to", rng.choice(TIMES),
                         "--out", tmp_path / "cut.jsonl"),
                        ("trace", "merge", path, other, "--out", tmp_path / "merged.jsonl")]
            for command in commands:
                (tmp_path / "cut.jsonl").unlink(missing_ok=True)
                signal.alarm(10)
                try:
                    code, said = reallabor(*command)
                except Hang:
                    pytest.fail(f"{command} hangs on {path.read_bytes()[:2000]!r}")
                finally:
                    signal.alarm(0)
                assert code in (0, EXIT_BAD_INPUT) and "Traceback" not in said, (command, said, path.read_bytes()[:2000])
                outcomes[code] += 1
                if command[1] == "cut" and code == 0:
                    assert fileformat.check(tmp_path / "cut.jsonl")[1] == [], (command, path.read_bytes()[:2000])
            summary, problems = fileformat.check(path)
            if not problems and summary.end_ms <= 2 * 3_600_000 and not summary.values:
                candidates.append((path, gentle))
        for text in OPTIONS + ["".join(rng.choice("0123456789.eEkKmM-+:/@xnaif") for _ in range(rng.randint(0, 8)))
                               for _ in range(100)]:
            check_options(text)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert outcomes[0] > 100 and outcomes[EXIT_BAD_INPUT] > 100, outcomes  # the fuzzing reaches both sides
    wild = [p for p, gentle in candidates if not gentle]  # valid although a nasty value went in
    assert len(candidates) >= REPLAYS and wild, len(candidates)
    chosen = rng.sample(wild, min(2, len(wild)))
    for path in chosen + rng.sample([p for p, _ in candidates if p not in chosen], REPLAYS - len(chosen)):
        done = cli("replay", path, "--lang", "en", timeout=120)
        said = done.stdout + done.stderr
        refused = done.returncode == 2 and (" has no bus " in said or "Unknown board" in said)  # the replay checks boards
        assert done.returncode == 0 or refused, (said, path.read_text()[:3000])


def check_options(text: str) -> None:
    """Each option parser returns a value in its range or raises bad input, for any text."""
    for parse in (replay.parse_speed, replay.heap_bytes, parse_url, tools.parse_time):
        try:
            value = parse(text)
        except ReallaborError as e:
            assert e.exit_code == EXIT_BAD_INPUT and e.message(), (parse, text)
            continue
        if parse is replay.parse_speed:
            assert value == "max" or replay.MIN_SPEED <= float(value) <= replay.MAX_SPEED, text
        elif parse is replay.heap_bytes:
            assert 16 * 1024 <= value <= 64 << 20, text
        elif parse is tools.parse_time:
            assert 0 <= value <= fileformat.MAX_MS, text
        else:
            assert 0 < value.port < 65536 and value.host, text
