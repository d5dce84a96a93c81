"""Run the real firmware under unix-port MicroPython on a trace, with virtual time, against a real
MQTT broker, and record what the device publishes."""

import collections
import contextlib
import functools
import io
import json
import os
import queue
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reallabor import userfile
from reallabor.env import FIRMWARE, find_program, off_board_cpu, scratch_dir
from reallabor.errors import EXIT_BAD_INPUT, Problem, ReallaborError
from reallabor.firmware import console, devicecode, layout
from reallabor.firmware.build import compiled_firmware
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.mqtt.url import parse_url
from reallabor.mqtt.subscriber import Subscriber
from reallabor.sim.bootloop import SimDevice, environment
from reallabor.sim.faults import FaultDriver
from reallabor.sim.mqttproxy import Proxy
from reallabor.sim.netserver import iso_ms
from reallabor.traces import fileformat

_HEAP = re.compile(r"^(\d{1,9})([kKmM]?)$")
MIN_SPEED, MAX_SPEED = 0.001, 1_000_000  # --speed FACTOR
DEFAULT_DEVICE = "replay-01"
_EXACT = json.JSONDecoder(parse_float=Decimal)  # numbers as written (21.50 stays 21.50); made once, not per message

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
    returncode: int = 0  # the first crash's exit code, also when the watchdog restarted the board after it
    published: int = 0
    # the firmware's heap, the simulator's share taken off: its live peak between cycles, and the
    # budget it had (--heap)
    heap_peak: int | None = None
    heap_total: int | None = None
    heap_simulator: int = 0  # what the simulator took beside it (sim/heapprobe.py)
    virtual_ms: int = 0
    wall_s: float = 0.0
    boots: int = 0
    cuts: list[str] = field(default_factory=list)  # packet types at which the fault proxy cut
    sampled: list[int] = field(default_factory=list)  # seq of every reading stored ("sample seq=N")
    queued: list[int] = field(default_factory=list)  # seq of every reading still in the outbox at the end
    lorawan: object = None  # a LoRa node's replay: sim.lorareplay.LoraRun (network server, gateway, frames)
    profile: dict = field(default_factory=dict)  # with RL_PROFILE=1: the simulator's real µs by part, all boots

    @property
    def uplinks(self) -> list[Message]:
        """A LoRa node's uplinks as the network server published them (The Things Stack's format)."""
        return [m for m in self.messages if m.topic.startswith("v3/") and m.topic.endswith("/up")]

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
        for m in self.uplinks:  # the compact payload lists health by sensor, in config order
            decoded = m.payload["uplink_message"].get("decoded_payload") or {}
            for i, health in enumerate(decoded.get("health", [])):
                if health not in ("ok", "warming_up"):
                    counts[(f"#{i + 1}", health)] += 1
        return counts


def find_micropython() -> str:
    return find_program("micropython")


def parse_speed(text: str) -> str:
    if text in ("max", "realtime"):
        return "max" if text == "max" else "1"
    try:
        factor = float(text)
    except ValueError:
        factor = 0
    if not MIN_SPEED <= factor <= MAX_SPEED:  # also NaN; a slower or faster clock overflows the simulator's
        raise ReallaborError("replay.bad_speed", EXIT_BAD_INPUT, value=text, low=MIN_SPEED, high=MAX_SPEED)
    return repr(factor)


def heap_bytes(text: str) -> int:
    """--heap as micropython -X heapsize takes it ("128K", "2M", "65536") -> bytes; the budget the
    firmware has, at least 16K and at most 64M."""
    m = _HEAP.match(text)
    size = int(m[1]) * {"": 1, "k": 1024, "m": 1 << 20}[m[2].lower()] if m else 0
    if not 16 * 1024 <= size <= 64 << 20:
        raise ReallaborError("replay.bad_heap", EXIT_BAD_INPUT, value=text)
    return size


_SHARES: dict = {}


def install_firmware(flash: Path, firmware: Path, main: Path, extra_path=(), rom: bytes | None = None) -> str:
    """The compiled firmware onto the simulator's flash where deploy puts it on a board (main.py and
    hal/ at the root, the rest under lib/; linked, not copied) -> the MICROPYPATH to run it with
    `micropython -m main`: sys.path as on a board, so module paths (their qstrs take heap) are as
    short as there too. extra_path: directories searched before lib/ (a comparison transport).
    rom: lib/ as a ROMFS image instead, run with `micropython -m romboot` (sim/romboot.py)."""
    (flash / "main.py").symlink_to(main)
    (flash / "hal").symlink_to(firmware / "hal", target_is_directory=True)
    if rom is None:
        (flash / "lib").symlink_to(firmware / "lib", target_is_directory=True)
    else:
        (flash / "rom.img").write_bytes(rom)
        (flash / "romboot.py").symlink_to(Path(__file__).with_name("romboot.py"))
    return os.pathsep.join([".frozen", *map(str, extra_path), "lib"])


@functools.cache
def romfs_image(firmware: Path) -> bytes:
    """The firmware's lib/ (its .mpy files as they are) as a ROMFS image, as `mpremote romfs build`
    makes it for a board's ROMFS partition; made once per firmware (a compiled one's directory is
    named by its sources' hash)."""
    from mpremote.romfs import make_romfs

    with contextlib.redirect_stdout(io.StringIO()):  # it lists every file it takes
        return make_romfs(str(firmware / "lib"), mpy_cross=False)


def write_config(flash: Path, config_json: bytes) -> None:
    """The node's config.json onto the simulator's flash, readable by its owner only (it may hold
    the Wi-Fi and MQTT passwords)."""
    fd = os.open(flash / "config.json", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(config_json)


def probe_flash(flash: Path, firmware: Path, board_json: bytes, config_json: bytes) -> str:
    """The heap probe's flash (sim/heapprobe.py as main.py beside the node's board.json and
    config.json) -> its MICROPYPATH."""
    path = install_firmware(flash, firmware, Path(__file__).with_name("heapprobe.py"))
    (flash / layout.BOARD_FILE).write_bytes(board_json)
    write_config(flash, config_json)
    return path


def probe_board_side(micropython: str, flash: Path, trace: Path, config_json: bytes | None = None,
                     after: str = "") -> subprocess.CompletedProcess:
    """The heap probe's ESP32 side (hal.esp32, the modules of the trace's node, its config read;
    config_json: the trace's default config unless given) on flash, then the statement `after` in
    the same process: what a board of that node holds, for the bench's figures and the tests."""
    from reallabor import boards

    header = fileformat.load(trace).header
    config = fileformat.default_config(header)
    board = boards.load(header["board"])
    modules = node_modules(devicecode.config().validate(json.loads(json.dumps(config))), False, False, board)
    path = probe_flash(flash, compiled_firmware(), board.device_json(), config_json or devicecode.config_bytes(config))
    argv = ["main", "esp32", str(trace), *modules]
    script = f"import sys; sys.argv[:] = {argv!r}; exec(open('main.py').read()); {after}"
    return subprocess.run([micropython, "-X", "heapsize=4M", "-c", script], cwd=flash,
                          env={**os.environ, "MICROPYPATH": path}, capture_output=True, text=True, timeout=60)


def simulator_share(micropython: str, firmware: Path, trace: Path, board_json: bytes, config_json: bytes,
                    modules: tuple) -> int:
    """Heap bytes the simulator takes (its code, what it keeps of the trace, its share of the qstr
    pools) beyond what the ESP32's HAL would take in its place, next to the firmware modules the
    node loads and the names its config read interns (sim/heapprobe.py measures both sides, once
    per firmware, trace, board, config and modules)."""
    key = (micropython, str(firmware), str(trace), board_json, config_json, modules)
    if key not in _SHARES:
        sides = []
        with tempfile.TemporaryDirectory(prefix="reallabor-probe-") as flash:
            path = probe_flash(Path(flash), firmware, board_json, config_json)
            for side in ("sim", "esp32"):
                done = subprocess.run([micropython, "-X", "heapsize=4M", "-m", "main",
                                       side, str(Path(trace).resolve()), *modules], cwd=flash,
                                      env={**os.environ, "MICROPYPATH": path}, capture_output=True, text=True, timeout=60)
                if done.returncode:
                    raise RuntimeError(f"the simulator's heap probe failed: {done.stderr.strip()}")
                sides.append(int(done.stdout))
        _SHARES[key] = max(0, sides[0] - sides[1])
    return _SHARES[key]


def node_modules(checked: dict, faults: bool, lora: bool, board) -> tuple:
    """The firmware modules a node with this (validated) config on this board loads, for the heap
    probe; "faults" and "radio" name the simulator's parts for fault events and a LoRa radio."""
    drivers = sorted({devicecode.driver_module(s["type"]) for s in checked["sensors"]})
    if lora:
        chip = "sx126x" if board.lora["chip"].startswith("sx126") else "sx127x"
        codec = "cayenne" if checked["lora"]["payload"] == "cayenne" else "compact"
        uplink = ("radio", "node.lora_uplink", f"node.radio.{chip}", f"node.codec.{codec}")
    else:
        uplink = ("hal.tcp", "node.uplink", "node.codec.state_json") + (
            ("node.discovery",) if checked["mqtt"]["discovery"] else ())
    return ("faults",) * faults + ("node.app", "node.pipeline", *uplink, *drivers)


def load_config(path: Path) -> dict:
    """A config.json for the device, validated by the firmware's own validator."""
    raw = userfile.read_json(path)
    problem = raw if isinstance(raw, Problem) else devicecode.check_config(raw)
    if problem:
        raise ReallaborError("file.invalid", EXIT_BAD_INPUT, details=[problem], path=path)
    return raw


def check_buses(board, summary: fileformat.Summary, checked: dict) -> None:
    """Every bus the trace or the config names must be one the board has: a node cannot talk over
    a bus its board file lacks (a sensor there would only ever be "absent")."""
    have = set(board.i2c) | set(board.uart)
    used = {r for r in summary.buses} | {s["bus"] for s in checked["sensors"]} | set(checked["i2c"])
    missing = sorted(used - have)
    if missing:
        raise ReallaborError("replay.bus_missing", EXIT_BAD_INPUT, buses=", ".join(missing), board=board.name,
                             have=", ".join(sorted(have)) or "-")


def run(trace_path: Path, broker_url: str | None = None, speed: str = "max", heap: str = "128K",
        config: dict | None = None, on_message=None, compiled: bool = True, main: Path | None = None,
        extra_path: list[Path] = (), seed: int = 0, files: dict[str, bytes] | None = None,
        lora_options: dict | None = None, romfs: bool = False, micropython: str | None = None) -> Result:
    """Replay a trace. config is a raw config.json dict (default: from the trace header); its MQTT
    URL is replaced by the broker's (an mqtts:// URL, a TLS listener of that broker, is kept). on_message(Message) is called as messages arrive. compiled:
    run the .mpy bytecode a board gets (default) or the sources. A trace with fault events gets a
    proxy between device and broker, and broker faults need the replay's own broker. main and
    extra_path swap in another entry point (a comparison transport); seed makes power losses land
    at the same random instants again; files go onto the device's flash (a CA certificate). A
    config with a `lora` section on a board with a radio runs a LoRa node against a simulated
    gateway and network server (sim/lorareplay.py; lora_options: their settings). romfs: the
    firmware's modules come from a ROMFS image, their bytecode used in place (make bench).
    micropython: the interpreter to run (default: the unix port found on PATH or in the venv)."""
    summary = fileformat.load(trace_path)
    speed = parse_speed(speed)
    budget = heap_bytes(heap)
    if broker_url is not None:
        parse_url(broker_url)  # a wrong address is bad input, not an unreachable broker
    micropython = micropython or find_micropython()
    firmware = compiled_firmware() if compiled else FIRMWARE
    config = dict(config or fileformat.default_config(summary.header))
    setup = _Setup(trace_path, summary, speed, budget, config, micropython, firmware, on_message, main, extra_path, seed,
                   files or {}, lora_options or {}, romfs)
    if broker_url is None:
        with Mosquitto() as broker:
            return _run(setup, broker.url, broker)
    if any(f["fault"].startswith("broker_") for f in summary.faults):
        raise ReallaborError("replay.faults_need_own_broker", EXIT_BAD_INPUT, path=trace_path)
    return _run(setup, broker_url, None)


@dataclass
class _Setup:
    trace_path: Path
    summary: fileformat.Summary
    speed: str
    budget: int  # heap bytes for the firmware; the simulator gets its own share on top
    config: dict
    micropython: str
    firmware: Path
    on_message: object
    main: Path | None
    extra_path: list
    seed: int
    files: dict
    lora_options: dict
    romfs: bool


def _run(s: _Setup, broker_url, broker) -> Result:
    from reallabor import boards

    cfg_module = devicecode.config()
    config = s.config
    proxy = Proxy(int(broker_url.rsplit(":", 1)[1])) if s.summary.faults else None
    device_url = proxy.url if proxy else broker_url
    if config.get("mqtt", {}).get("url", "").startswith("mqtts://"):
        device_url = config["mqtt"]["url"]  # a TLS listener of the same broker, given by the caller
    config["mqtt"] = {**config.get("mqtt", {}), "url": device_url}
    try:
        checked = cfg_module.validate(json.loads(json.dumps(config)))
    except cfg_module.ConfigError as e:  # from the trace's header, --config or --broker
        raise ReallaborError("replay.config_refused", EXIT_BAD_INPUT, details=[devicecode.config_problem(e)]) from None
    board = boards.load(s.summary.header["board"])
    check_buses(board, s.summary, checked)
    device = checked["device"] or DEFAULT_DEVICE
    topic = f"{checked['mqtt']['prefix']}/{checked['site']}/{device}/#"
    result = Result()
    lora = None
    if checked["uplink"] == "lorawan" and board.lora:  # a LoRa node: a simulated gateway and network server instead
        from reallabor.sim.lorareplay import LoraRun

        lora = result.lorawan = LoraRun(device, checked["lora"], broker_url, s.summary.epoch_ms, s.lora_options)
        topic = lora.topic
    config_json = devicecode.config_bytes(config)
    result.heap_simulator = simulator_share(s.micropython, s.firmware, s.trace_path, board.device_json(), config_json,
                                            node_modules(checked, bool(s.summary.faults), lora is not None, board))
    rom = romfs_image(s.firmware) if s.romfs else None
    if rom is not None:  # the image in the heap stands for flash: on top of the budget, as the simulator's share
        result.heap_simulator += 16 * (len(rom) // 16 + 1) + 64  # its GC blocks and its object
    result.heap_total = s.budget
    heapsize = s.budget + result.heap_simulator
    try:
        with off_board_cpu(), tempfile.TemporaryDirectory(prefix="reallabor-flash-", dir=scratch_dir()) as flash, \
                Subscriber(broker_url, topic) as sub:
            write_config(Path(flash), config_json)  # the bytes load_config() checked
            (Path(flash) / layout.BOARD_FILE).write_bytes(board.device_json())
            for name, data in s.files.items():
                (Path(flash) / name).write_bytes(data)
            path = install_firmware(Path(flash), s.firmware, s.main or s.firmware / "main.py", s.extra_path, rom)
            env = environment(path, trace=Path(s.trace_path).resolve(), speed=s.speed, end_ms=s.summary.end_ms,
                              epoch_ms=s.summary.epoch_ms, device_id=device, faults=1 if s.summary.faults else None,
                              host_radio=1 if lora else None, values=1 if s.summary.values else None)
            matcher = _Matcher(result, sub.inbox, s.on_message, s.summary.epoch_ms)
            driver = FaultDriver(s.summary.faults, broker, proxy, sub, lora.gateway if lora else None) \
                if s.summary.faults else None
            entry = "main" if rom is None else "romboot"
            runner = SimDevice([s.micropython, "-X", f"heapsize={heapsize}", "-m", entry], flash, env, s.summary.end_ms,
                            matcher.console, driver, s.seed, lora.gateway if lora else None,
                            lambda: len(result.sampled))
            started = time.monotonic()
            result.returncode = runner.run()
            result.boots = runner.boots
            result.stderr = "".join(runner.stderr)
            result.wall_s = time.monotonic() - started
            if lora:
                result.published = matcher.expected = lora.published()
                result.stderr += "".join(f"network server: {e}\n" for e in lora.server.errors)
            result.queued = left_in_outbox(Path(flash), checked["outbox_kb"])
            matcher.finish(timeout_s=5)
            result.cuts = proxy.cuts if proxy else []
    finally:
        if proxy:
            proxy.close()
        if lora:
            lora.close()
    return result


def left_in_outbox(flash: Path, outbox_kb: int) -> list[int]:
    """The seq of every reading still in the node's outbox on its flash at the end, oldest first,
    read with the firmware's own outbox code (on the replay's copy of the flash: it is emptied)."""
    if not (flash / "outbox").is_dir():
        return []
    box = devicecode.firmware_module("node.outbox").Outbox(path=str(flash / "outbox"), cap=outbox_kb * 1024)
    seqs = []
    while (seq := box.load()) is not None:
        seqs.append(seq)
        box.pop(seq)
    return seqs


class _Matcher:
    """Pairs each message the broker delivers with the virtual time of the console line
    'pub <topic>' the device printed when it sent it (per topic, in order)."""

    def __init__(self, result: Result, inbox: queue.Queue, on_message, epoch_ms: int = 0):
        self.result = result
        self.inbox = inbox
        self.on_message = on_message
        self.epoch_ms = epoch_ms
        self.sent = collections.defaultdict(collections.deque)  # topic -> virtual times
        self.published = collections.Counter()  # topic -> 'pub' lines
        self.received = collections.Counter()  # topic -> messages delivered
        self.expected = None  # a LoRa node's: the uplinks the network server published
        self.waiting = collections.deque()  # delivered, but its console line not read yet

    def console(self, line: str, boot_ms: int = 0) -> None:
        r = self.result
        r.console.append(line)
        entry = console.parse(line)
        if entry:
            t = boot_ms + entry.uptime_ms
            r.virtual_ms = max(r.virtual_ms, t)
            topic, seq, end = console.published(entry.text), console.sampled(entry.text), console.sim_end(entry.text)
            if topic:
                self.sent[topic].append(t)
                self.published[topic] += 1
                r.published += 1
            elif seq is not None:
                r.sampled.append(seq)
            elif end:
                r.heap_peak = max(r.heap_peak or 0, end["heap_peak"] - r.heap_simulator)
                for part, us in end.items():
                    if part.endswith("_us"):
                        r.profile[part] = r.profile.get(part, 0) + us
            elif entry.level in "WE":
                r.warnings.append(line)
        self._pair(final=False)

    def finish(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self._more_to_come() and time.monotonic() < deadline:
            self._pair(final=False, block_s=0.05)
        self._pair(final=True)

    def _more_to_come(self) -> bool:
        # Per topic: messages the broker sends itself (a last will on the status topic) must not
        # stand in for states still on their way.
        if self.expected is not None:
            return len(self.result.messages) + len(self.waiting) < self.expected
        return any(self.received[topic] < n for topic, n in self.published.items())

    def _pair(self, final: bool, block_s: float = 0) -> None:
        try:
            while True:
                item = self.inbox.get(timeout=block_s) if block_s else self.inbox.get_nowait()
                self.received[item[0]] += 1
                self.waiting.append(item)
                block_s = 0
        except queue.Empty:
            pass
        while self.waiting:
            topic, payload = self.waiting[0]
            if topic.startswith("v3/"):  # from the network server: its own reception time
                self.waiting.popleft()
                body = json.loads(payload)
                self._add(Message(iso_ms(body["received_at"]) - self.epoch_ms, topic, body, payload.decode()))
                continue
            times = self.sent[topic]
            if not times and not final:
                return  # keep the order: wait for the console line
            self.waiting.popleft()
            t = times.popleft() if times else self.result.virtual_ms
            raw = payload.decode("utf-8", errors="replace")
            try:
                body = _EXACT.decode(raw)
            except ValueError:
                body = raw
            self._add(Message(t, topic, body, raw))

    def _add(self, message: Message) -> None:
        self.result.messages.append(message)
        if self.on_message:
            self.on_message(message)
