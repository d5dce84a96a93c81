"""Shared fixtures: paths, the unix-port micropython, and a real Mosquitto on a free port."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def micropython() -> str:
    from reallabor.replay import find_micropython

    return find_micropython()


@pytest.fixture(scope="session")
def firmware_path() -> str:
    """MICROPYPATH for running firmware sources and the firmware test helpers."""
    return ":".join((".frozen", str(ROOT / "firmware"), str(ROOT / "firmware" / "lib"), str(ROOT / "tests" / "firmware")))


@pytest.fixture
def broker():
    from reallabor.broker import Mosquitto

    with Mosquitto() as b:
        yield b


@pytest.fixture
def virtual_board(tmp_path):
    """A factory for virtual boards: make(mac=..., env=...) -> a running VirtualBoard whose flash is
    a fresh directory under tmp_path. MACs count up from 02:00:00:00:10:01; all stop after the test."""
    from reallabor.virtualboard import VirtualBoard

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
