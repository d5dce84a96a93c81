"""Shared fixtures: the unix-port micropython, a real Mosquitto on a free port, virtual boards, a
private data directory, and `cli`: the reallabor command run as a technician runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_LOCALE = ("LANG", "LC_ALL", "LC_MESSAGES", "REALLABOR_LANG")


@pytest.fixture(scope="session")
def micropython() -> str:
    from reallabor.env import find_program

    return find_program("micropython")


@pytest.fixture(scope="session")
def firmware_path() -> str:
    """MICROPYPATH for running firmware sources and the firmware test helpers."""
    return ":".join((".frozen", str(ROOT / "firmware"), str(ROOT / "firmware" / "lib"), str(ROOT / "tests" / "firmware")))


@pytest.fixture
def broker():
    from reallabor.mqtt.mosquitto import Mosquitto

    with Mosquitto() as b:
        yield b


@pytest.fixture
def english():
    """Messages of in-process calls in English for one test."""
    from reallabor.i18n import set_language

    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def virtual_board(tmp_path):
    """A factory for virtual boards: make(mac=..., env=...) -> a running VirtualBoard whose flash is
    a fresh directory under tmp_path. MACs count up from 02:00:00:00:10:01; all stop after the test."""
    from reallabor.sim.virtualboard import VirtualBoard

    started = []

    def make(mac: str | None = None, env: dict | None = None):
        n = len(started) + 1
        board = VirtualBoard(tmp_path / f"flash{n}", mac or f"02:00:00:00:10:{n:02x}", env=env)
        started.append(board.start())
        return board

    yield make
    for board in started:
        board.stop()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private reallabor data directory (inventory, site profiles, device configs) for one test."""
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("REALLABOR_DATA", str(path))
    return path


def run_cli(*args, lang: str | None = None, data: Path | None = None, timeout: float = 120, env: dict | None = None,
            device_traceback: bool = False) -> subprocess.CompletedProcess:
    """`reallabor ARGS` in a process of its own, output captured. The locale is neutral (German)
    unless lang sets LANG. The host must never show a Python traceback; a board's may be shown on
    purpose (device_traceback)."""
    environ = {k: v for k, v in os.environ.items() if k not in _LOCALE}
    environ.update(PYTHONPATH=str(ROOT / "host"), **(env or {}))
    if lang:
        environ["LANG"] = lang
    if data:
        environ["REALLABOR_DATA"] = str(data)
    done = subprocess.run([sys.executable, "-m", "reallabor.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=environ, cwd=ROOT)
    output = done.stdout + done.stderr
    assert ("Traceback" in output) == device_traceback, output
    assert "site-packages" not in output and "reallabor/cli" not in output, output
    return done


@pytest.fixture
def cli():
    return run_cli


def write_site_profile(data: Path, name="hof", broker="mqtt://127.0.0.1:1", sensors=None, **extra) -> Path:
    """A site profile with recognisable secrets, mode 0600."""
    path = data / "sites" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {
        "format": "reallabor-site", "version": 1, "site": name,
        "wifi": {"ssid": "Reallabor", "password": "wifi-Geheimnis-4711"},
        "mqtt": {"url": broker, "prefix": "reallabor"},
        "interval_s": 5,
        "sensors": sensors if sensors is not None else [{"type": "bmp280", "name": "air"}],
        **extra,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(profile, f)
    return path


@pytest.fixture
def site_profile():
    """write(data, name="hof", broker=..., sensors=..., **extra) -> a site profile's path."""
    return write_site_profile
