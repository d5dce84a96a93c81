"""`reallabor live --demo`: the live view without hardware. A private Mosquitto, and several
simulated nodes that run the real firmware (each in a replay of its own) on the makerspace
workshop day, the generator of traces/makerspace-24h-kit.jsonl from 08:30: each node with its own
noise and its day shifted by a few minutes, one of them in deep sleep. Their clocks start now and
run --speed times faster than the wall clock."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.monitor.live import fleetview
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.sim import replay
from reallabor.traces import fileformat, synthetic

SITE = "makerspace"
PREFIX = "reallabor"
FIRST_MINUTE = 8 * 60 + 30  # people arrive at 08:30, CO2 rises from 09:30
SHIFT_MINUTES = 12  # node i's day starts i * this later
# (device id, name, deep sleep); the last one is provisioned but never switched on
NODES = (("werkbank-1", "Werkbank 1", False), ("werkbank-2", "Werkbank 2", False), ("fenster", "Fensterbank", True),
         ("tuer", "Tür", False), ("loetplatz", "Lötplatz", False), ("lager", "Lager", False),
         ("buero", "Büro", False), ("flur", "Flur", False))
SPARE = fleetview.Device("ersatz-1", "Ersatzknoten (im Schrank)", SITE, PREFIX, "esp32-devkitc")
MAX_NODES = len(NODES)


def roster(count: int) -> dict:
    devices = {d: fleetview.Device(d, name, SITE, PREFIX, "esp32-devkitc") for d, name, _ in NODES[:count]}
    return {**devices, SPARE.id: SPARE}


def write_trace(index: int, directory: Path, start_ms: int, minutes: int) -> Path:
    """The workshop kit's day for node index, its clock starting at start_ms."""
    parts = [synthetic.part(kind) for kind in synthetic.KIT_DAY]
    first = FIRST_MINUTE + index * SHIFT_MINUTES
    header, records = synthetic.suite_trace(parts, minutes, first, "Demo node for reallabor live: the synthetic "
                                            "makerspace day from the workshop kit", bme=True, seed=3 + index)
    header["start"] = datetime.fromtimestamp(start_ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    path = directory / f"node-{index + 1}.jsonl"
    fileformat.write(path, header, records)
    return path


def node_config(trace: Path, device: str, deep_sleep: bool) -> dict:
    config = fileformat.default_config(fileformat.load(trace).header)
    config.update(device=device, site=SITE, mqtt={"url": "mqtt://127.0.0.1:1", "prefix": PREFIX})
    if deep_sleep:
        config.update(deep_sleep=True, interval_s=300)
    return config


class Demo:
    """The broker and the nodes; each node is a replay in a process and session of its own (this
    module run as a program), so stop() ends it together with its MicroPython."""

    def __init__(self, nodes: int, speed: float, minutes: int = 24 * 60 - FIRST_MINUTE - (MAX_NODES - 1) * SHIFT_MINUTES,
                 on_crash=None):
        if not 1 <= nodes <= MAX_NODES:
            raise ReallaborError("live.bad_nodes", EXIT_BAD_INPUT, value=nodes)
        self.count = nodes
        self.speed = speed
        self.minutes = minutes
        self.on_crash = on_crash or (lambda device, code: None)
        self.broker = Mosquitto()
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self._dir = None
        self.done = threading.Event()

    def start(self) -> "Demo":
        self.start_broker()
        return self.start_nodes()

    def start_broker(self) -> Mosquitto:
        return self.broker.start()

    def start_nodes(self) -> "Demo":
        """After the broker (and whoever listens to it) is up: the nodes."""
        self._dir = tempfile.TemporaryDirectory(prefix="reallabor-demo-")
        work = Path(self._dir.name)
        start_ms = int(time.time() * 1000)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(Path(__file__).parents[3]),
                                                                      os.environ.get("PYTHONPATH")) if p))
        for i, (device, _, deep_sleep) in enumerate(NODES[:self.count]):
            trace = write_trace(i, work, start_ms, self.minutes)
            config = work / f"{device}.json"
            config.write_text(json.dumps(node_config(trace, device, deep_sleep)), encoding="utf-8")
            command = [sys.executable, "-m", "reallabor.monitor.live.demo", str(trace), self.broker.url,
                       repr(float(self.speed)), str(config)]
            log = open(work / f"{device}.log", "wb")
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                       env=env, start_new_session=True)
            log.close()
            self.processes.append((device, process))
        threading.Thread(target=self._watch, name="demo-watch", daemon=True).start()
        return self

    def _watch(self) -> None:
        for device, process in self.processes:
            code = process.wait()
            if code not in (0, -signal.SIGTERM, -signal.SIGKILL):
                self.on_crash(device, code)
        self.done.set()

    def stop(self) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)  # the replay and its MicroPython
                except ProcessLookupError:
                    pass
        for _, process in self.processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.broker.stop()
        if self._dir:
            self._dir.cleanup()
            self._dir = None


def _node(trace: str, broker: str, speed: str, config: str) -> int:
    """One demo node: the replay of its trace against the demo's broker -> MicroPython's exit code."""
    result = replay.run(Path(trace), broker, speed, config=json.loads(Path(config).read_text(encoding="utf-8")))
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(_node(*sys.argv[1:5]))
