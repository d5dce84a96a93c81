"""Capture end to end: a virtual board runs the real firmware on a sample trace, `reallabor capture`
records its console, and replaying the captured trace publishes the same state messages, byte for
byte, as replaying the original; for every sample trace, the sensor fault traces included. Also:
the flash capture fetched and freed, a USB reconnect marked as a gap, Ctrl-C leaving a valid
trace, a capture from a broker replayed through the pipeline, and no secret in any captured byte.

The one field left out of the comparison is node.heap_free: the free heap when a message is made
depends on the broker's real-time answers (and differs between a node that captures and one that
does not, which is the point of measuring it). Everything else is compared as sent."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import pytest

from reallabor import boards
from reallabor.boardio.repl import Device
from reallabor.firmware import layout
from reallabor.firmware.build import compiled_firmware
from reallabor.sim import replay
from reallabor.sim.virtualboard import VirtualBoard
from reallabor.traces import fileformat, tools, valuelevel

ROOT = Path(__file__).resolve().parents[2]
TRACES = sorted((ROOT / "traces").glob("*.jsonl"))
# The day-long traces are cut to three hours with the most going on (the test suite's time); every
# other sample trace runs whole
WINDOWS = {"courtyard-24h-bme280.jsonl": ("4h", "7h"), "makerspace-24h-kit.jsonl": ("7h", "10h"),
           "makerspace-24h-multi.jsonl": ("7h", "10h")}


def states(result) -> list[str]:
    """The state messages as sent, without node.heap_free (see the module's docstring)."""
    out = []
    for m in result.states:
        body = json.loads(m.raw)
        body["node"].pop("heap_free")
        out.append(json.dumps(body, ensure_ascii=False))
    return out


def make_flash(flash: Path, summary, broker_url: str, main: bool = False, **config) -> dict:
    """A virtual board's flash as deploy leaves it (compiled firmware, board file) with the config a
    replay of this trace runs with; main.py only when asked (else it comes once the board is up,
    so that the first boot does not run the whole trace before capture is switched on)."""
    fw = compiled_firmware()
    flash.mkdir(parents=True, exist_ok=True)
    for name in ("hal", "lib"):
        (flash / name).symlink_to(fw / name, target_is_directory=True)
    (flash / layout.BOARD_FILE).write_bytes(boards.load(summary.header["board"]).device_json())
    cfg = {**fileformat.default_config(summary.header), "mqtt": {"url": broker_url}, **config}
    (flash / "config.json").write_text(json.dumps(cfg))
    if main:
        add_main(flash)
    return cfg


def add_main(flash: Path) -> None:
    (flash / "main.py").symlink_to(compiled_firmware() / "main.py")


def board_env(trace: Path, summary, speed: str = "max") -> dict:
    """The simulator's settings as a replay of the trace has them."""
    return {"RL_TRACE": str(trace), "RL_SPEED": speed, "RL_EPOCH_MS": str(summary.epoch_ms),
            "RL_END_MS": str(summary.end_ms), "RL_DEVICE_ID": replay.DEFAULT_DEVICE}


@pytest.mark.parametrize("sample", TRACES, ids=[p.stem for p in TRACES])
def test_capture_then_replay_is_exact(sample, tmp_path, broker, cli):
    trace = sample
    if sample.name in WINDOWS:
        trace = tmp_path / sample.name
        done = cli("trace", "cut", sample, "--from", WINDOWS[sample.name][0], "--to", WINDOWS[sample.name][1],
                   "--out", trace)
        assert done.returncode == 0, done.stderr
    summary = fileformat.load(trace)
    # The round trip of the sensors' transactions: a LoRa board's trace too sends its state over MQTT
    original = replay.run(trace, config={**fileformat.default_config(summary.header), "uplink": "mqtt"})
    assert original.returncode == 0 and original.states

    flash = tmp_path / "flash"
    make_flash(flash, summary, broker.url, uplink="mqtt")
    out = tmp_path / "captured.jsonl"
    with VirtualBoard(flash, "02:00:00:00:13:01", env=board_env(trace, summary)) as vb:
        add_main(flash)
        done = cli("capture", "--port", vb.port, "--out", out, "--lang", "en", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "trace written" in done.stdout and "lost: 0, damaged: 0, gaps: 0" in done.stdout, done.stdout
    assert not (flash / "capture.json").exists(), done.stderr  # capture switched off again

    captured, problems = fileformat.check(out)
    assert not problems, problems[:3]
    h = captured.header
    assert h["source"] == "captured" and h["board"] == summary.header["board"] and h["start"] == summary.header["start"]
    assert [s["type"] for s in h["sensors"]] == [s["type"] for s in summary.header["sensors"]]

    again = replay.run(out)
    assert again.returncode == 0, again.stderr
    assert "trace has nothing" not in again.stderr, again.stderr  # every transaction was recorded
    assert states(again) == states(original)


def test_fault_traces_publish_their_faults(tmp_path, broker, cli):
    """The round trip above would hold for a node that published nothing of interest: these fault
    traces must show their fault in the original and so in the replayed capture."""
    for name, sensor, health in (("sht3x-stops-answering", "sht3x", "absent"), ("sds011-checksum", "sds011",
                                                                                  "checksum_error")):
        r = replay.run(ROOT / "traces" / f"{name}.jsonl")
        assert r.sensor_errors[(sensor, health)] > 0, (name, r.sensor_errors)


def test_flash_capture_is_fetched_and_freed(tmp_path, broker, cli):
    trace = ROOT / "traces" / "sds011-checksum.jsonl"
    summary = fileformat.load(trace)
    flash = tmp_path / "flash"
    make_flash(flash, summary, broker.url, main=True, capture={"to": "flash", "chunk_kb": 8, "flash_kb": 64})
    out = tmp_path / "from-flash.jsonl"
    with VirtualBoard(flash, "02:00:00:00:13:02", env=board_env(trace, summary)) as vb:
        chunks = flash / "capture"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _ended(chunks):
            time.sleep(0.2)  # the node runs the hour at full speed and stops
        names = sorted(int(p.name) for p in chunks.iterdir())
        assert len(names) > 1 and sum(p.stat().st_size for p in chunks.iterdir()) <= 64 * 1024
        (flash / "main.py").unlink()  # after the fetch the board restarts: into its REPL this time
        done = cli("capture", "--port", vb.port, "--from-flash", "--out", out, "--lang", "en")
        assert done.returncode == 0, done.stdout + done.stderr
        assert not [p for p in chunks.iterdir()]  # fetched, then the space freed
    assert fileformat.load(out).header["source"] == "captured"
    assert states(replay.run(out)) == states(replay.run(trace))


def _ended(chunks: Path) -> bool:
    if not chunks.is_dir():
        return False
    names = sorted((p for p in chunks.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    return bool(names) and b"\x1erl1 E " in names[-1].read_bytes()


class UnpluggablePort:
    """A serial port that can be pulled and plugged back in: a pseudo-terminal of its own under a
    fixed path (a symlink, as /dev/serial/by-path is one), joined to the virtual board's port. While
    pulled, the path is gone, the old terminal is closed and what the board sends is lost."""

    def __init__(self, board_port: str, path: Path):
        self.path = path
        self.board = os.open(board_port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.board)
        self.master = -1
        self.plugged = threading.Event()
        self.stop = False
        self._plug()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _plug(self):
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self._slave = slave
        if self.path.is_symlink():
            self.path.unlink()
        self.path.symlink_to(os.ttyname(slave))
        self.plugged.set()

    def pull(self):
        self.plugged.clear()
        self.path.unlink()
        os.close(self.master)
        os.close(self._slave)
        self.master = -1

    def plug(self):
        self._plug()

    def _run(self):
        while not self.stop:
            fds = [self.board] + ([self.master] if self.plugged.is_set() and self.master >= 0 else [])
            try:
                ready, _, _ = select.select(fds, [], [], 0.05)
            except (OSError, ValueError):
                continue
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    continue
                try:
                    if fd == self.board and self.plugged.is_set():
                        os.write(self.master, data)
                    elif fd != self.board:
                        os.write(self.board, data)
                except OSError:
                    pass

    def close(self):
        self.stop = True
        self.thread.join(2)
        for fd in (self.board, self.master, getattr(self, "_slave", -1)):
            try:
                os.close(fd)
            except OSError:
                pass


def test_usb_reconnect_is_a_gap_and_capture_goes_on(tmp_path, broker):
    from reallabor.boardio import capture

    trace = ROOT / "traces" / "sht4x-1h.jsonl"
    summary = fileformat.load(trace)
    flash = tmp_path / "flash"
    make_flash(flash, summary, broker.url)
    out = tmp_path / "reconnect.jsonl"
    with VirtualBoard(flash, "02:00:00:00:13:03", env=board_env(trace, summary, speed="300")) as vb:
        add_main(flash)
        port = UnpluggablePort(vb.port, tmp_path / "ttyUSB-capture")
        try:
            def unplug_later():
                time.sleep(3)
                port.pull()
                time.sleep(1.5)
                port.plug()

            threading.Thread(target=unplug_later, daemon=True).start()
            result = capture.console_capture(str(port.path), out, minutes=40)
        finally:
            port.close()
    assert ("capture.reconnected", {"port": str(port.path)}) in result.notes
    summary2, problems = fileformat.check(out)
    assert not problems
    gaps = summary2.gaps
    assert len(gaps) == 1 and gaps[0]["gap"] == "disconnected" and gaps[0]["frames"] > 0, gaps
    assert gaps[0]["t"] - gaps[0]["from"] >= 60_000  # 1.5 s at 300x: several minutes of the node's time
    assert summary2.end_ms >= 39 * 60_000  # and the capture went on after it
    shown = subprocess.run([sys.executable, "-m", "reallabor.cli", "trace", "info", str(out), "--lang", "en"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "host")})
    assert "gap from 0:" in shown.stdout and "the port was disconnected" in shown.stdout, shown.stdout


def test_ctrl_c_leaves_a_valid_trace(tmp_path, broker):
    trace = ROOT / "traces" / "sds011-1h.jsonl"
    summary = fileformat.load(trace)
    flash = tmp_path / "flash"
    make_flash(flash, summary, broker.url)
    out = tmp_path / "interrupted.jsonl"
    with VirtualBoard(flash, "02:00:00:00:13:04", env=board_env(trace, summary, speed="60")) as vb:
        add_main(flash)
        env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
        proc = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "capture", "--port", vb.port, "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**env, "PYTHONPATH": str(ROOT / "host")})
        time.sleep(6)  # a few minutes of the node's time at 60x
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stdout + stderr
    assert "Mit Strg-C beendet" in stderr and "Trace geschrieben" in stdout
    assert "Transaktionen" in stderr and " Bytes, " in stderr  # the progress line
    s, problems = fileformat.check(out)
    assert not problems and s.header["source"] == "captured" and s.records > 5 and s.end_ms >= 60_000
    assert not (flash / "capture.json").exists()


def test_value_capture_from_a_broker_replays_the_readings(tmp_path, broker):
    trace = ROOT / "traces" / "scd4x-stale.jsonl"
    stop, ready = threading.Event(), threading.Event()
    got = {}
    thread = threading.Thread(target=lambda: got.update(vc=valuelevel.capture(broker.url, replay.DEFAULT_DEVICE,
                                                                              stop=stop, ready=ready)))
    thread.start()
    assert ready.wait(10)
    original = replay.run(trace, broker_url=broker.url)
    time.sleep(0.5)
    stop.set()
    thread.join(10)
    header, records = got["vc"].trace()
    path = tmp_path / "values.jsonl"
    fileformat.write(path, header, records)
    summary, problems = fileformat.check(path)
    assert not problems and summary.values == len(records) > 0
    assert [s["type"] for s in header["sensors"]] == ["scd4x", "sht4x"]

    again = replay.run(path)
    assert again.returncode == 0, again.stderr

    def readings(result):
        # per message time: each sensor's health and its values (n, min and max come from the
        # replay's own window of one sample a message)
        out = {}
        for m in result.states:
            p = json.loads(m.raw)
            if p["time"] is not None:
                out[p["time"]] = (p["health"], {s: {q: r["value"] for q, r in qs.items()}
                                                for s, qs in p["readings"].items()})
        return out

    want, have = readings(original), readings(again)
    assert len(have) >= len(want) - 1 > 50
    assert all(have[t] == want[t] for t in have if t in want)
    assert any(h["scd4x"] == "stale" for h, _ in have.values())  # the recorded fault comes through


def test_nothing_secret_in_a_capture(virtual_board, data_dir, cli, site_profile, tmp_path):
    """A board provisioned with known secrets (Wi-Fi and MQTT passwords, a LoRaWAN AppKey): no
    captured byte holds any of them, from the console or from flash."""
    trace = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"
    vb = virtual_board(mac="24:6f:28:a1:b2:c4", env={"RL_TRACE": str(trace), "RL_SPEED": "30"})
    site_profile(data_dir)
    for args in (("deploy", "--port", vb.port, "--board", "ttgo-lora32-v2.1"),
                 ("provision", "--port", vb.port, "--board", "ttgo-lora32-v2.1", "--site", "hof")):
        done = cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    config = json.loads((vb.flash / "config.json").read_text())
    secrets = [config["wifi"]["password"], config["mqtt"]["password"], config["lora"]["app_key"]]
    assert all(len(s) >= 16 for s in secrets)

    console_trace = tmp_path / "console.jsonl"
    done = cli("capture", "--port", vb.port, "--minutes", "1.5", "--out", console_trace, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert fileformat.load(console_trace).records > 5

    (vb.flash / "capture.json").write_text('{"to": "flash"}')
    with Device(vb.port) as dev:
        dev.reboot()  # boots with capture to flash
    time.sleep(4)
    raw_chunks = b"".join(p.read_bytes() for p in (vb.flash / "capture").iterdir())
    flash_trace = tmp_path / "flash.jsonl"
    done = cli("capture", "--port", vb.port, "--from-flash", "--out", flash_trace)
    assert done.returncode == 0, done.stdout + done.stderr
    assert b"\x1erl1 i " in raw_chunks

    everything = console_trace.read_bytes() + flash_trace.read_bytes() + raw_chunks
    for secret in secrets:
        for form in (secret, secret.lower(), secret.upper(), secret.encode().hex()):
            assert form.encode() not in everything, "a secret in a captured trace"
