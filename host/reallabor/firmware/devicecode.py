"""Import pure firmware modules (config validation, compensation maths) into CPython, so the host
and the device share one implementation instead of two that could drift apart."""

import importlib
import json
import sys
import types

from reallabor.env import FIRMWARE_LIB
from reallabor.errors import Problem
from reallabor.i18n import Term
from reallabor.messages import CATALOG


def firmware_module(name: str):
    if "micropython" not in sys.modules:
        shim = types.ModuleType("micropython")
        shim.const = lambda value: value  # folding constants is only a RAM saving on the device
        sys.modules["micropython"] = shim
    if str(FIRMWARE_LIB) not in sys.path:
        sys.path.append(str(FIRMWARE_LIB))
    return importlib.import_module(name)


def config():
    """node.config: the device's own config validator."""
    return firmware_module("node.config")


def ident():
    """node.ident: MAC -> device id, MAC text, DevEUI, as the device derives them."""
    return firmware_module("node.ident")


def driver_module(sensor_type: str) -> str:
    """The firmware module holding the driver of a config sensor type ("sht4x" -> node.sensors.sht)."""
    shared = firmware_module("node.sensors").SHARED
    return "node.sensors." + shared.get(sensor_type, sensor_type)


def config_problem(error) -> Problem:
    """The device validator's ConfigError as a Problem. Its detail is English on the device (its
    console log); here the known wordings become terms in the user's language."""
    detail = error.detail
    term = "config.detail." + str(detail).replace(" ", "_")
    return Problem("config.problem." + error.problem, error.field,
                   params={"detail": Term(term) if term in CATALOG else detail})


def config_bytes(raw) -> bytes:
    """config.json as the host writes it onto a board (and replays it)."""
    return json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()


def check_config(raw) -> Problem | None:
    """None if the device would accept this config, else its problem. raw: the bytes of a
    config.json, or a config as a dict, checked as the bytes config_bytes() makes of it: the
    device's own parser and validator see exactly what the device would read."""
    checker = config()
    try:
        checker.parse(raw if isinstance(raw, bytes) else config_bytes(raw))
    except checker.ConfigError as e:
        return config_problem(e)
    return None

