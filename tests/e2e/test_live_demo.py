"""`reallabor live --demo` as the README shows it: its own Mosquitto, simulated nodes running the
real firmware, readings on the page's API within seconds, and nothing left running after it stops."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from reallabor.mqtt.mosquitto import free_port

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_demo_moves_and_cleans_up():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "REALLABOR_LANG")}
    env["PYTHONPATH"] = str(ROOT / "host")
    demo = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "live", "--demo", "--nodes", "2", "--speed", "120",
                             "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    try:
        assert demo.stdout.readline().startswith("Demo: 2 simulierte Knoten, 120-mal so schnell")
        assert demo.stdout.readline().startswith(f"Live-Ansicht: http://127.0.0.1:{port}/")
        deadline = time.time() + 40
        seqs = {}
        while time.time() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/fleet", timeout=5) as r:
                seqs = {row["device"]: row["seq"] for row in json.loads(r.read())["rows"]}
            if all((seqs.get(d) or 0) >= 3 for d in ("werkbank-1", "werkbank-2")):
                break
            time.sleep(0.2)
        assert (seqs.get("werkbank-1") or 0) >= 3 and (seqs.get("werkbank-2") or 0) >= 3, seqs
        assert seqs["ersatz-1"] is None  # the spare node in the demo's inventory never sends
        nodes = children(demo.pid)
        family = nodes + [g for n in nodes for g in children(n)]
        assert len(family) >= 4  # Mosquitto, two replays and their MicroPython processes
    finally:
        demo.terminate()
        out, err = demo.communicate(timeout=20)
    assert demo.returncode == 0 and "Traceback" not in err, err
    assert "Live-Ansicht beendet." in out
    time.sleep(0.5)
    assert [p for p in family if alive(p)] == []
