"""Run the reallabor CLI as a technician would: a separate process, output captured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def reallabor(*args, data=None, timeout=120, env=None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT / "host"), **(env or {})}
    if data:
        environ["REALLABOR_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "reallabor.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=environ)


def site_profile(data: Path, name="hof", broker="mqtt://127.0.0.1:1", sensors=None, **extra) -> Path:
    """A site profile with recognisable secrets, mode 0600."""
    import json

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
