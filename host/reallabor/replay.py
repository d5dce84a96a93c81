"""Run the real firmware under unix-port MicroPython on a trace, with virtual time, against a real
MQTT broker, and record what the device publishes."""

import collections
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reallabor import trace
from reallabor.broker import Mosquitto
from reallabor.devicecode import firmware_module
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.mqttsub import Subscriber
from reallabor.build import compiled_firmware
from reallabor.paths import FIRMWARE
from reallabor.tools import find_executable

LOG_LINE = re.compile(r"^(\d+) ([IWE]) (.*)$")
_HEAP = re.compile(r"^\d+[kKmM]?$")
DEFAULT_DEVICE = "replay-01"


@dataclass
class Message:
    t: int  # virtual ms since the trace start
    topic: str
    payload: object  # parsed JSON (numbers as Decimal, so 1016.00 keeps its decimals), or text
    raw: str  # the payload as sent

    def as_json(self) -> str:
        """{"t", "topic", "payload"} with the payload's JSON exactly as the device sent it."""
        body = self.raw if isinstance(self.payload, (dict, list)) else json.dumps(self.payload, ensure_ascii=False)
        return '{"t":%d,"topic":%s,"payload":%s}' % (self.t, json.dumps(self.topic, ensure_ascii=False), body)


@dataclass
class Result:
    messages: list[Message] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # everything the device printed
    warnings: list[str] = field(default_factory=list)  # its W and E lines
    stderr: str = ""
    returncode: int = 0
    published: int = 0
    heap_peak: int | None = None
    heap_total: int | None = None
    virtual_ms: int = 0
    wall_s: float = 0.0

    @property
    def states(self) -> list[Message]:
        return [m for m in self.messages if m.topic.endswith("/state")]

    @property
    def sensor_errors(self) -> collections.Counter:
        """(sensor, health) -> number of state messages in which the sensor was not ok (warming up
        after a start is normal, not an error)."""
        counts = collections.Counter()
        for m in self.states:
            for name, health in m.payload.get("health", {}).items():
                if health not in ("ok", "warming_up"):
                    counts[(name, health)] += 1
        return counts


def find_micropython() -> str:
    return find_executable("micropython", "sim.missing")


def parse_speed(text: str) -> str:
    if text in ("max", "realtime"):
        return "max" if text == "max" else "1"
    try:
        factor = float(text)
    except ValueError:
        factor = 0
    if factor <= 0:
        raise ReallaborError("replay.bad_speed", EXIT_BAD_INPUT, value=text)
    return repr(factor)


def check_heap(text: str) -> str:
    if not _HEAP.match(text):
        raise ReallaborError("replay.bad_heap", EXIT_BAD_INPUT, value=text)
    return text


def load_config(path: Path) -> dict:
    """A config.json for the device, validated by the firmware's own validator."""
    config = firmware_module("node.config")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReallaborError("config.not_found", EXIT_BAD_INPUT, path=path)
    except UnicodeDecodeError:
        raise ReallaborError("config.invalid", EXIT_BAD_INPUT, path=path, field="config.json", problem="UTF-8")
    try:
        config.parse(text)
    except config.ConfigError as e:
        raise config_error(path, e)
    return json.loads(text)


def config_error(path, e) -> ReallaborError:
    from reallabor.i18n import msg

    problem = msg("config.problem." + e.problem, detail=e.detail)
    return ReallaborError("config.invalid", EXIT_BAD_INPUT, path=path, field=e.field, problem=problem)


def default_config(summary: trace.Summary) -> dict:
    h = summary.header
    return {
        "site": "replay",
        "interval_s": max(1, h.get("interval_ms", 60_000) // 1000),
        "sensors": [dict(s) for s in h.get("sensors", [])],
    }


def run(trace_path: Path, broker_url: str | None = None, speed: str = "max", heap: str = "128K",
        config: dict | None = None, on_message=None, compiled: bool = True) -> Result:
    """Replay a trace. config is a raw config.json dict (default: from the trace header); its MQTT
    URL is replaced by the broker's. on_message(Message) is called as messages arrive. compiled:
    run the .mpy bytecode a board gets (default) or the sources."""
    summary = trace.load(trace_path)
    speed = parse_speed(speed)
    heap = check_heap(heap)
    micropython = find_micropython()
    firmware = compiled_firmware() if compiled else FIRMWARE
    config = dict(config or default_config(summary))
    if broker_url is None:
        with Mosquitto() as broker:
            return _run(trace_path, summary, broker.url, speed, heap, config, micropython, firmware, on_message)
    return _run(trace_path, summary, broker_url, speed, heap, config, micropython, firmware, on_message)


def _run(trace_path, summary, broker_url, speed, heap, config, micropython, firmware, on_message) -> Result:
    cfg_module = firmware_module("node.config")
    config["mqtt"] = {**config.get("mqtt", {}), "url": broker_url}
    checked = cfg_module.validate(json.loads(json.dumps(config)))
    device = checked["device"] or DEFAULT_DEVICE
    topic = f"{checked['mqtt']['prefix']}/{checked['site']}/{device}/#"
    result = Result()
    with tempfile.TemporaryDirectory(prefix="reallabor-flash-") as flash, Subscriber(broker_url, topic) as sub:
        fd = os.open(Path(flash) / "config.json", os.O_WRONLY | os.O_CREAT, 0o600)  # may hold secrets
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        env = dict(
            os.environ,
            MICROPYPATH=os.pathsep.join((".frozen", str(firmware), str(firmware / "lib"))),
            RL_TRACE=str(Path(trace_path).resolve()),
            RL_SPEED=speed,
            RL_END_MS=str(summary.end_ms),
            RL_EPOCH_MS=str(summary.epoch_ms),
            RL_DEVICE_ID=device,
        )
        started = time.monotonic()
        proc = subprocess.Popen(
            [micropython, "-X", f"heapsize={heap}", str(firmware / "main.py")],
            cwd=flash, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            errors="replace",
        )
        stderr: list[str] = []
        reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
        reader.start()
        matcher = _Matcher(result, sub.inbox, on_message)
        try:
            for line in proc.stdout:
                matcher.console(line.rstrip("\n"))
            result.returncode = proc.wait()
        except KeyboardInterrupt:
            proc.kill()
            raise
        reader.join(5)
        result.stderr = "".join(stderr)
        result.wall_s = time.monotonic() - started
        matcher.finish(timeout_s=5)
    return result


class _Matcher:
    """Pairs each message the broker delivers with the virtual time of the console line
    'pub <topic>' the device printed when it sent it (per topic, in order)."""

    def __init__(self, result: Result, inbox: queue.Queue, on_message):
        self.result = result
        self.inbox = inbox
        self.on_message = on_message
        self.sent = collections.defaultdict(collections.deque)  # topic -> virtual times
        self.waiting = collections.deque()  # delivered, but its console line not read yet

    def console(self, line: str) -> None:
        r = self.result
        r.console.append(line)
        m = LOG_LINE.match(line)
        if m:
            t, level, text = int(m[1]), m[2], m[3]
            r.virtual_ms = max(r.virtual_ms, t)
            if text.startswith("pub "):
                self.sent[text.split()[1]].append(t)
                r.published += 1
            elif text.startswith("sim end "):
                fields = dict(kv.split("=") for kv in text.split()[2:])
                r.heap_peak, r.heap_total = int(fields["heap_peak"]), int(fields["heap_total"])
            elif level in "WE":
                r.warnings.append(line)
        self._pair(final=False)

    def finish(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.result.messages) + len(self.waiting) < self.result.published and time.monotonic() < deadline:
            self._pair(final=False, block_s=0.05)
        self._pair(final=True)

    def _pair(self, final: bool, block_s: float = 0) -> None:
        try:
            while True:
                self.waiting.append(self.inbox.get(timeout=block_s) if block_s else self.inbox.get_nowait())
                block_s = 0
        except queue.Empty:
            pass
        while self.waiting:
            topic, payload = self.waiting[0]
            times = self.sent[topic]
            if not times and not final:
                return  # keep the order: wait for the console line
            self.waiting.popleft()
            t = times.popleft() if times else self.result.virtual_ms
            raw = payload.decode("utf-8", errors="replace")
            try:
                body = json.loads(raw, parse_float=Decimal)
            except ValueError:
                body = raw
            message = Message(t, topic, body, raw)
            self.result.messages.append(message)
            if self.on_message:
                self.on_message(message)
