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
