"""The names a board keeps in RAM for good: MicroPython interns every name a module brings and
every one-character string a str yields, in pools that grow in doubling steps and are never freed
(qstrs). The compiled firmware keeps those few: a traceback names the module, not its file path
as well, and checking a config interns nothing of its values nor the names of sections it lacks."""

import os
import subprocess
from pathlib import Path

from reallabor.firmware.build import compiled_firmware, module_name


def run(micropython, tmp_path: Path, script: str, files: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    lib = compiled_firmware() / "lib"
    return subprocess.run([micropython, "-X", "heapsize=2M", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "MICROPYPATH": f".frozen:{lib}"})


def names_after_each_step(output: str) -> list[set[str]]:
    """The dynamic qstrs micropython.qstr_info(1) listed at each "---" line of output."""
    steps = output.split("---\n")[1:]
    return [{line.strip()[2:-1] for line in step.splitlines() if line.strip().startswith("Q(")} for step in steps]


def test_module_names_stand_for_their_files():
    assert module_name(Path("lib/node/net/mqtt.py")) == "node.net.mqtt"
    assert module_name(Path("lib/node/sensors/__init__.py")) == "node.sensors"
    assert module_name(Path("hal/__init__.py")) == "hal"
    assert module_name(Path("hal/esp32.py")) == "hal.esp32"


def test_a_traceback_of_the_compiled_firmware_names_the_module(micropython, tmp_path):
    done = run(micropython, tmp_path, "from node import config\nconfig.parse('{')")
    traceback = done.stdout + done.stderr
    assert 'File "node.config", line' in traceback and "lib/node/config" not in traceback, traceback


def test_checking_a_config_keeps_no_name_of_its_values_nor_of_sections_it_lacks(micropython, tmp_path):
    config = ('{"site": "Hof-Nord", "device": "rl-7f3a9q", "ntp": "ntp.zeit.example", '
              '"mqtt": {"url": "mqtt://broker.example:1884", "prefix": "stadt"}, "wifi": {"ssid": "Werkstatt", '
              '"password": "geheim"}, "sensors": [{"type": "bme280", "name": "Ost-Wand"}]}')
    script = ("import micropython, sys\nfrom node import config\nprint('---')\nmicropython.qstr_info(1)\n"
              "cfg = config.load()\nprint('---')\nmicropython.qstr_info(1)\n"
              "print('sections', [m for m in sys.modules if m.startswith('node.config_')])")
    done = run(micropython, tmp_path, script, {"config.json": config})
    assert done.returncode == 0, done.stderr
    before, after = names_after_each_step(done.stdout)
    assert after - before == set(), after - before  # not one character of "Hof-Nord" or "Werkstatt"
    assert "sections []" in done.stdout
    assert not {"EU868", "fair_use", "LORA_PAYLOADS", "CAPTURE_TO", "chunk_kb"} & after


def test_the_lora_and_capture_sections_are_checked_by_modules_loaded_for_them(micropython, tmp_path):
    config = ('{"lora": {"dev_eui": "70B3D57ED0000001", "join_eui": "70B3D57ED0000000", "app_key": "%s"}, '
              '"sensors": [{"type": "bme280"}]}' % ("0F" * 16))
    script = ("import sys\nfrom node import config\ncfg = config.load()\n"
              "print(cfg['uplink'], cfg['lora']['payload'], cfg['capture']['to'])\n"
              "print('sections', sorted(m for m in sys.modules if m.startswith('node.config_')))")
    done = run(micropython, tmp_path, script, {"config.json": config, "capture.json": '{"to": "console"}'})
    assert done.returncode == 0, done.stderr
    assert "lorawan compact console" in done.stdout
    assert "sections ['node.config_capture', 'node.config_lora']" in done.stdout
