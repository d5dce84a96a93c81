"""Import pure firmware modules (config validation, compensation maths) into CPython, so the host
and the device share one implementation instead of two that could drift apart."""

import importlib
import sys
import types

from reallabor.paths import FIRMWARE_LIB


def firmware_module(name: str):
    if "micropython" not in sys.modules:
        shim = types.ModuleType("micropython")
        shim.const = lambda value: value  # folding constants is only a RAM saving on the device
        sys.modules["micropython"] = shim
    if str(FIRMWARE_LIB) not in sys.path:
        sys.path.append(str(FIRMWARE_LIB))
    return importlib.import_module(name)
