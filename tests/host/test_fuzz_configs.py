"""Fuzzed configs and site profiles (issue 16): the host's check and the device's boot (the real
firmware under unix-port MicroPython at the heap budget) agree on every input, byte for byte the
same verdict; the device never crashes (safe mode instead); `reallabor site check` and the replay's
--config reading end in exit 0 or 2, without a traceback and without hanging. Seeded, so a failure
repeats; the seed and the input are in the assertion."""

import json
import math
import os
import random
import signal
import subprocess
from pathlib import Path

import pytest

from reallabor import boards
from reallabor.boardio import provision
from reallabor.cli.main import main
from reallabor.errors import ReallaborError
from reallabor.firmware import devicecode
from reallabor.fleet import sites
from reallabor.sim import replay

ROOT = Path(__file__).parents[2]
SEED = 16
HEAP = "128K"  # the firmware's budget (ARCHITECTURE.md); at boot the validator has it to itself
CONFIGS = 300
PROFILES = 120
KEYS = {"dev_eui": "246F28FFFEA1B2C3", "join_eui": "0000000000000000", "app_key": "00112233445566778899AABBCCDDEEFF"}


def full_config():
    return {
        "device": "rl-a1b2c3", "site": "hof", "interval_s": 60, "sample_s": 10, "deep_sleep": False,
        "send_window_s": 20, "outbox_kb": 64, "ntp": "pool.ntp.org",
        "wifi": {"ssid": "Reallabor", "password": "geheim123"},
        "mqtt": {"url": "mqtts://broker.example.org:8883", "prefix": "reallabor", "user": "rl-a1b2c3",
                 "password": "pw", "keepalive_s": 60, "ca": "ca.pem", "discovery": True},
        "i2c": {"i2c0": {"freq": 100000, "timeout_us": 200000, "soft": False}},
        "sensors": [
            {"type": "bme280", "name": "air", "oversampling": {"temperature": 2, "pressure": 16, "humidity": 1},
             "change": {"temperature": 0.5}},
            {"type": "scd4x", "name": "co2", "mode": "periodic", "asc": True, "altitude_m": 200,
             "filter": {"co2": "mean"}, "stuck_after": 0},
            {"type": "sds011", "name": "dust", "bus": "uart1", "sample_s": 30},
            {"type": "sht4x", "name": "hum", "bus": "i2c1", "addr": 0x45},
        ],
        "lora": dict(KEYS, payload="compact", dr=5),
        "capture": {"to": "flash", "flash_kb": 64, "chunk_kb": 16},
    }


def full_profile():
    return {"format": "reallabor-site", "version": 1, "site": "hof", "_comment": "fuzz",
            "wifi": {"ssid": "Reallabor", "password": "geheim123"},
            "mqtt": {"url": "mqtts://broker.example.org:8883", "prefix": "reallabor", "keepalive_s": 60},
            "interval_s": 60, "deep_sleep": False, "ntp": "pool.ntp.org",
            "sensors": [{"type": "bme280", "name": "air"}, {"type": "sds011", "name": "dust", "bus": "uart1"}],
            "lora": {"join_eui": "0000000000000000", "frequency_plan": "EU_863_870_TTN"}}


# What the issue found the two validators to disagree on, and what else went wrong at boot
NASTY = ["", " ", "x" * 32, "x" * 33, "x" * 65, "x" * 129, "x" * 10000, "i2c\u0661", "uart\uff11", "i2c01",
         "\uff11\uff18\uff18\uff13", "a#b", "a+b", "a/b", "a\nb", "a\x7fb", "Hof-S\u00fcd", "\U0001F600", "\ud800",
         "mqtt://h:1883:1883", "mqtt://h:\uff11\uff18\uff18\uff13", "mqtt://h:+1883", "mqtt://h:1_883",
         "mqtt://u@h:1883", "mqtt://[::1]:1883", "mqtt://h:0", "mqtt://h:65536", "mqtts://h", "mqtt://h/x",
         "mqtt://", True, False, None, 0, 1, -1, 1.5, 2.55, 1e-9, 1e300, math.inf, -math.inf, math.nan, 2**64,
         [], {}, [[[[[[[[[[1]]]]]]]]]], {"type": "bme280"}, "bme280", "median", "flash", "EU868"]


def paths(value, here=()):
    yield here
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, here + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, here + (i,))


def mutate(rng, raw, most=3):
    """Up to `most` changes at the value level: replace, drop, add a field, or grow a list."""
    for _ in range(rng.randint(0, most)):
        where = rng.choice([p for p in paths(raw) if p])
        parent = raw
        for step in where[:-1]:
            parent = parent[step]
        key = where[-1]
        kind = rng.random()
        if kind < 0.6:
            parent[key] = rng.choice(NASTY)
        elif kind < 0.75 and isinstance(parent, dict):
            del parent[key]
        elif kind < 0.85 and isinstance(parent, dict):
            parent[rng.choice(["colour", "_comment", "version", "ca", "tls", "x" * 40])] = rng.choice(NASTY)
        elif isinstance(raw.get("sensors"), list):
            many = rng.choice([8, 9, 200, 5000])
            raw["sensors"] = [{"type": "bme280", "name": f"s{i}", "bus": f"i2c{i % 2}", "addr": 8 + i % 100}
                              for i in range(many)]
    return raw


def serialise(rng, raw) -> bytes:
    """As a person or a tool might write it, then perhaps broken at the byte level."""
    text = json.dumps(raw, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 2]))
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate as its (invalid) UTF-8 bytes
    if rng.random() < 0.35 and data:
        i = rng.randrange(len(data))
        edit = rng.choice(["flip", "drop", "insert", "latin1", "cut", "comma"])
        if edit == "flip":
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
        elif edit == "drop":
            data = data[:i] + data[i + 1:]
        elif edit == "insert":
            data = data[:i] + bytes([rng.choice(b',:"{}[]0-.e\\ \n\x00\x80\xc0\xed\xf4\xff')]) + data[i:]
        elif edit == "latin1":
            data = data.replace("ü".encode(), b"\xfc").replace(b'"hof"', b'"h\xf6f"')
        elif edit == "cut":
            data = data[:i]
        else:  # the leniencies of MicroPython's json: a missing or a trailing comma
            data = data.replace(b",", b" ", 1) if rng.random() < 0.5 else data.replace(b"]", b",]", 1)
    return data


def host_verdict(data: bytes):
    """What the host says of these bytes: the accepted config, or the device's log text."""
    checker = devicecode.config()
    try:
        return {"ok": checker.parse(data)}
    except checker.ConfigError as e:
        assert devicecode.check_config(data) is not None
        return {"safe": str(e)}


def device_verdicts(inputs: list[bytes], tmp_path: Path) -> list[dict]:
    """Each input booted by the firmware (tests/firmware/configboot.py) at the heap budget."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, data in enumerate(inputs):
        (folder / f"{i}.json").write_bytes(data)
    flash = tmp_path / "flash"
    flash.mkdir()
    path = ":".join((".frozen", str(ROOT / "firmware"), str(ROOT / "firmware" / "lib"), str(ROOT / "tests" / "firmware")))
    done = subprocess.run([replay.find_micropython(), "-X", f"heapsize={HEAP}", str(ROOT / "tests/firmware/configboot.py"),
                           str(folder), str(len(inputs))], capture_output=True, text=True, errors="replace", timeout=120, cwd=flash,
                          env={"MICROPYPATH": path, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(inputs)
    return [json.loads(line) for line in lines]


def same(a, b) -> bool:
    # MicroPython's float parsing is not always correctly rounded: equal within 1e-12
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return a == b


def agree(host, device) -> bool:
    if "ok" in host:
        return "ok" in device and same(json.loads(json.dumps(host["ok"])), device["ok"])
    return "safe" in device and device["safe"].startswith(host["safe"] + "; safe mode")


class Hang(Exception):
    pass


@pytest.fixture
def deadline():
    """deadline(s): a Hang if the block takes longer (signal.alarm: Linux and macOS)."""
    def ring(*_):
        raise Hang()

    old = signal.signal(signal.SIGALRM, ring)
    yield lambda seconds: signal.alarm(seconds)
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def largest_accepted() -> bytes:
    """A config at every limit: the most sensors, each text at its most; the device must hold it."""
    raw = full_config()
    raw["sensors"] = [{"type": "bme280", "name": f"{i}" + "n" * 31, "bus": f"i2c{i % 2}", "addr": 0x08 + i,
                       "change": {"temperature": 0.5, "pressure": 1, "humidity": 2}}
                      for i in range(devicecode.config().MAX_SENSORS)]
    raw["wifi"] = {"ssid": "s" * 32, "password": "p" * 64}
    raw["mqtt"].update(url="mqtts://" + "b" * 114 + ":8883", prefix="p" * 64, password="w" * 128, user="u" * 64)
    data = devicecode.config_bytes(raw)
    assert len(data) <= devicecode.config().MAX_BYTES
    return data


def test_host_and_device_agree_on_fuzzed_configs(tmp_path, deadline):
    rng = random.Random(SEED)
    inputs = [largest_accepted()] + [serialise(rng, mutate(rng, full_config())) for _ in range(CONFIGS)]
    devices = device_verdicts(inputs, tmp_path)
    files = tmp_path / "files"
    files.mkdir()
    accepted = 0
    for i, (data, device) in enumerate(zip(inputs, devices)):
        deadline(5)
        host = host_verdict(data)
        assert "crash" not in device, (SEED, i, data[:300], device)
        assert agree(host, device), (SEED, i, data[:300], host, device)
        accepted += "ok" in host
        path = files / f"{i}.json"
        path.write_bytes(data)
        try:  # the replay's --config: the file as the device would read it
            replay.load_config(path)
            assert "ok" in host, (i, data[:300])
        except ReallaborError as e:
            assert e.exit_code == 2 and "safe" in host, (i, data[:300])
    assert "ok" in devices[0]  # at the limits, at the heap budget
    assert 0.1 * CONFIGS < accepted < 0.6 * CONFIGS, accepted  # the fuzzing reaches both sides


def test_site_check_on_fuzzed_profiles(tmp_path, deadline, capsys, data_dir):
    rng = random.Random(SEED + 1)
    board = boards.load("esp32-devkitc")
    inputs = [serialise(rng, mutate(rng, full_profile(), 2)) for _ in range(PROFILES)]
    made = []
    for i, data in enumerate(inputs):
        path = tmp_path / f"p{i}.json"
        path.write_bytes(data)
        os.chmod(path, 0o600)
        deadline(5)
        code = main(["site", "check", str(path)])
        out = capsys.readouterr()
        assert code in (0, 2) and "Traceback" not in out.out + out.err, (SEED, i, data[:300], out)
        if code == 0:  # what provision would write for a board of this site
            site = sites.load(str(path))
            made.append(provision.config_bytes(provision.make_config(site, board, "rl-a1b2c3", bytes(6), None, False)))
    deadline(0)
    assert 0.1 * PROFILES < len(made) < 0.8 * PROFILES
    for data, device in zip(made, device_verdicts(made, tmp_path)):
        assert "ok" in device, (data[:300], device)  # a profile the host took runs on the device
