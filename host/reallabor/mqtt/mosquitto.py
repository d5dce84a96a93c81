"""A private Mosquitto on a free loopback port, for replays, tests and workshops."""

import socket
import subprocess
import tempfile
import time
from pathlib import Path

from reallabor.env import find_program, pin_to_board_cpu
from reallabor.errors import EXIT_FAILED, ReallaborError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    """Start with `with Mosquitto() as broker:`; broker.url is mqtt://127.0.0.1:PORT. Extra lines go
    into its config file (password file, ACL, TLS listener...)."""

    def __init__(self, extra_config: str = "", port: int | None = None):
        self.port = port or free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._extra = extra_config
        self._dir = None
        self.process = None

    def start(self) -> "Mosquitto":
        exe = find_program("mosquitto")
        self._dir = tempfile.TemporaryDirectory(prefix="reallabor-broker-")
        conf = Path(self._dir.name) / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            f"log_dest stderr\nlog_type error\n{self._extra}\n"
        )
        self.process = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pin_to_board_cpu(self.process.pid)  # with the replayed boards that talk to it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace").strip()
                raise ReallaborError("broker.failed", EXIT_FAILED, details=[err] if err else [], port=self.port)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise ReallaborError("broker.failed", EXIT_FAILED, port=self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        if self._dir:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> "Mosquitto":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
