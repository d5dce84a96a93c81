"""config.checked.json as provision and the replay write it (devicecode.checked_config, under
CPython) is what the device takes at boot without loading its validator (node/checked.py), and it
holds the config the validator gives."""

import json
import subprocess

from reallabor.firmware import devicecode
from reallabor.traces import fileformat
from reallabor.env import TRACES

BOOT = """
import json
from test_checked import boot_without_validator
print(json.dumps(boot_without_validator()))
"""


def test_the_device_boots_from_the_checked_config_the_host_writes(tmp_path, micropython, firmware_path):
    config = fileformat.default_config(fileformat.load(TRACES / "makerspace-24h-multi.jsonl").header)
    config["mqtt"] = {"url": "mqtt://broker:1883", "user": "rl-000001", "password": "x" * 32}
    body = devicecode.config_bytes(config)
    (tmp_path / "config.json").write_bytes(body)
    (tmp_path / "firmware.json").write_text('{"firmware":"0123abcd"}')  # as deploy leaves it, compact
    name, data = devicecode.checked_config(body, "0123abcd")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "boot.py").write_text(BOOT)
    done = subprocess.run([micropython, "boot.py"], cwd=tmp_path, env={"MICROPYPATH": firmware_path},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr  # ValidatorLoaded: the file was not taken
    assert json.loads(done.stdout) == json.loads(json.dumps(devicecode.config().parse(body)))
    assert (tmp_path / name).read_bytes() == data  # not rewritten
