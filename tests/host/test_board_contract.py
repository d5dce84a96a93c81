"""The board (HAL) contract written in firmware/hal/__init__.py is what both boards provide: the
ESP32 family (hal/esp32.py), the simulator (hal/sim.py), and the in-memory board of the firmware
tests (tests/firmware/test_app.py), each function with the parameters the contract names."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_ENTRY = re.compile(r"^#   (\w+)\(([^)]*)\)")


def contract() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "firmware" / "hal" / "__init__.py").read_text().splitlines():
        m = _ENTRY.match(line)
        if m:
            entries[m[1]] = [a.strip() for a in m[2].split(",") if a.strip()]
    return entries


def functions(tree, cls: str | None = None) -> dict[str, list[str]]:
    """Top-level functions (or one class's methods, without self) -> parameter names."""
    body = tree.body
    if cls:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = [a.arg for a in node.args.args][1 if cls else 0:]
        elif isinstance(node, ast.ImportFrom):  # re-exported (hal.esp32 takes connect_tcp from hal.tcp)
            for alias in node.names:
                out.setdefault(alias.asname or alias.name, None)
    return out


def test_the_contract_is_written_down():
    c = contract()
    assert {"setup", "device_id", "mac", "i2c", "uart", "connect_network", "sync_time", "connect_tcp", "running",
            "stopped", "reset_cause", "rtc_memory", "save_rtc", "watchdog", "deepsleep"} <= set(c)
    assert c["connect_tcp"] == ["host", "port", "ca", "timeout_ms"]


@pytest.mark.parametrize("where, cls", [("firmware/hal/sim.py", None), ("firmware/hal/esp32.py", None),
                                        ("tests/firmware/test_app.py", "Board")])
def test_each_board_keeps_the_contract(where, cls):
    tree = ast.parse((ROOT / where).read_text())
    have = functions(tree, cls)
    for name, params in contract().items():
        assert name in have, f"{where} lacks {name}()"
        assert have[name] == params, f"{where}: {name}({', '.join(have[name] or [])}) but the contract says ({', '.join(params)})"
