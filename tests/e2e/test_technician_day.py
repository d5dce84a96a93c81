"""docs/technician.md, run once from end to end: the `reallabor` lines below are the document's
(each must be in it verbatim), run in its order against two virtual boards in download mode, with
the stand-in image, a site profile made from `site new`, a Mosquitto with the exported password
file and ACL and a read-only account, up to verified delivery, labels and the inventory. Only the
ports and the broker's port (a free one instead of 1883) are put in."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reallabor.mqtt.mosquitto import Mosquitto, free_port

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "technician.md"
READER_PASSWORD = "lese-Passwort-42"

BOARDS = "reallabor virtual-board --bootloader --count 2 --trace traces/courtyard-2h-bmp280.jsonl"
DAY = [  # (line in the document, what the step must show)
    ("reallabor ports", "before"),
    ("reallabor firmware stand-in --build ESP32_GENERIC", "stand-in"),
    ("reallabor flash --board esp32-devkitc --port $A --port $B", "flash"),
    ("RESET", None),
    ("reallabor ports", "after"),
    ("reallabor deploy --board esp32-devkitc --port $A --port $B", "deploy"),
    ("reallabor site new hof", "site"),
    ("EDIT", None),
    ("reallabor site check hof", "check"),
    ('reallabor provision --board esp32-devkitc --site hof --port $A --port $B --name "hof-{n:02}"', "provision"),
    ("reallabor export mosquitto --out broker/passwd", "export"),
    ("BROKER", None),
    ("reallabor verify --port $A --port $B --broker mqtt://reader@127.0.0.1:1883", "verify"),
    ("reallabor export labels --out labels.pdf", "labels"),
    ("reallabor inventory list", "inventory"),
]


def test_every_command_is_the_document_s():
    text = DOC.read_text(encoding="utf-8")
    for line in [BOARDS] + [line for line, _ in DAY if line.startswith("reallabor")]:
        assert line in text, line
    documented = [m for m in re.findall(r"^(reallabor [^\n#]*?)\s*(?:#.*)?$", text, re.MULTILINE)]
    assert documented == [BOARDS] + [line for line, _ in DAY if line.startswith("reallabor")]


@pytest.mark.skipif(not shutil.which("mosquitto_passwd"), reason="mosquitto_passwd not installed")
def test_the_day_from_end_to_end(tmp_path, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "REALLABOR_LANG")}
    env.update(PYTHONPATH=str(ROOT / "host"), REALLABOR_DATA=str(data_dir), XDG_CACHE_HOME=str(tmp_path / "cache"),
               LANG="en_GB.UTF-8", REALLABOR_BROKER_PASSWORD=READER_PASSWORD)
    work = tmp_path / "day"
    shutil.copytree(ROOT / "traces", work / "traces")
    boards = subprocess.Popen([sys.executable, "-m", "reallabor.cli", *shlex.split(BOARDS)[1:]], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=work,
                              start_new_session=True)
    port = free_port()
    broker = None
    try:
        ports = []
        while len(ports) < 2:
            line = boards.stdout.readline()
            assert line, boards.stderr.read()
            ports += re.findall(r"on (/dev/pts/\d+)", line)
        a, b = ports
        seen = {}
        for line, name in DAY:
            if line == "RESET":  # Enter in the boards' terminal
                boards.stdin.write("\n")
                boards.stdin.flush()
                continue
            if line == "EDIT":  # what step 4 says to change
                path = data_dir / "sites" / "hof.json"
                profile = json.loads(path.read_text())
                profile["wifi"].update(ssid="Reallabor", password="wifi-Geheimnis-4711")
                profile["mqtt"]["url"] = f"mqtt://127.0.0.1:{port}"
                profile["sensors"] = [{"type": "bmp280", "name": "air"}]
                path.write_text(json.dumps(profile, indent=2))
                continue
            if line == "BROKER":  # step 6: the reader account, then Mosquitto with the files
                passwd = work / "broker" / "passwd"
                subprocess.run(["mosquitto_passwd", "-b", str(passwd), "reader", READER_PASSWORD], check=True)
                with open(passwd.with_suffix(".acl"), "a") as f:
                    f.write("\nuser reader\ntopic read reallabor/#\n")
                conf = f"allow_anonymous false\npassword_file {passwd}\nacl_file {passwd.with_suffix('.acl')}\n"
                broker = Mosquitto(conf + ("user root\n" if os.geteuid() == 0 else ""), port=port).start()
                continue
            if name == "export":
                (work / "broker").mkdir()
            args = shlex.split(line.replace("$A", a).replace("$B", b).replace("1883", str(port)))[1:]
            done = subprocess.run([sys.executable, "-m", "reallabor.cli", *args], capture_output=True, text=True,
                                  env=env, cwd=work, timeout=180)
            output = done.stdout + done.stderr
            assert done.returncode == 0, (line, output)
            assert "Traceback" not in output, output
            seen[name] = done.stdout

        def row(step, p):
            return next(line for line in seen[step].splitlines() if line.startswith(p + " ")).split()

        assert row("before", a)[1:3] == ["virtual-ROM", "nothing"]
        assert "NOT MicroPython" in seen["stand-in"]
        assert row("flash", a)[1] == "ok" and "press Enter in the terminal of reallabor virtual-board" in seen["flash"]
        assert row("after", a)[1:3] == ["virtual-ROM", "MicroPython"] and row("after", b)[6] == "-"
        assert "2 succeeded, 0 failed." in seen["deploy"]
        assert "valid, site hof" in seen["check"]
        ids = [row("provision", p)[3] for p in (a, b)]
        assert [row("provision", p)[4] for p in (a, b)] == ["hof-01", "hof-02"]
        assert f"New broker passwords for {', '.join(sorted(ids))}" in seen["provision"]
        assert "First export of this kind" in seen["export"]
        for p in (a, b):
            assert row("verify", p)[1:] == ["ok", "0", "yes"]
        assert seen["verify"].count("[ok] sensors      air: ok") == 2
        assert seen["verify"].count("[ok] delivery") == 2
        assert (work / "labels.pdf").read_bytes().startswith(b"%PDF-1.4")
        assert "2 devices." in seen["inventory"] and all(i in seen["inventory"] for i in ids)
    finally:
        if broker:
            broker.stop()
        os.kill(boards.pid, signal.SIGTERM)
        boards.wait(30)
