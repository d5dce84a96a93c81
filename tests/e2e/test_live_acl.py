"""The live view's broker account in a real Mosquitto with the exported password file and ACL:
`reallabor live --broker mqtt://live@...` logs in with the password from the data directory and
receives the nodes' messages, the account may read but never write, anonymous clients are refused,
and only a device with discovery may write its Home Assistant configs."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from reallabor.fleet import exports
from reallabor.fleet.inventory import Inventory, Record
from reallabor.mqtt.mosquitto import Mosquitto, free_port

from tests.e2e.test_broker_acl import ACCEPTED, NOT_AUTHORIZED, Client

ROOT = Path(__file__).resolve().parents[2]


def record(n, discovery):
    return Record(mac=f"24:6f:28:00:00:{n:02x}", id=f"rl-0000{n:02x}", name=f"Werkbank {n}", board="esp32-devkitc",
                  site="makerspace", prefix="reallabor", firmware="f" * 16, config_hash="c" * 16,
                  time="2026-05-14T00:00:00Z", mqtt_user=f"rl-0000{n:02x}", mqtt_hash=exports.mosquitto_hash(f"pw-{n}"),
                  discovery=int(discovery))


def test_live_account_reads_only_and_discovery_only_where_configured(data_dir, tmp_path, cli):
    inventory = Inventory(data_dir)
    inventory.save(record(1, discovery=True))
    inventory.save(record(2, discovery=False))
    passwd = tmp_path / "out" / "mosquitto.passwd"
    done = cli("export", "mosquitto", "--out", passwd)
    assert done.returncode == 0, done.stderr
    secret = data_dir / "live" / "mqtt-password"
    password = secret.read_text().strip()
    assert secret.stat().st_mode & 0o077 == 0 and len(password) >= 24
    assert password not in done.stdout + done.stderr and password not in passwd.read_text()
    include = passwd.with_suffix(".include.conf").read_text()
    assert "allow_anonymous false" in include
    # a second export keeps the live password (a running live view stays logged in)
    assert cli("export", "mosquitto", "--out", passwd).returncode == 0
    assert secret.read_text().strip() == password
    port = free_port()
    extra = include + ("user root\n" if os.geteuid() == 0 else "")
    with Mosquitto(extra, port=port):
        live = Client(port, "live", password)
        dev1 = Client(port, "rl-000001", "pw-1")
        dev2 = Client(port, "rl-000002", "pw-2")
        anonymous = Client(port, None, None)
        try:
            assert live.reason == 0 and dev1.reason == 0 and anonymous.reason != 0
            assert live.publish("reallabor/makerspace/rl-000001/state") == NOT_AUTHORIZED
            assert live.publish("v3/app@ttn/devices/x/up") == NOT_AUTHORIZED
            assert dev1.publish("homeassistant/sensor/rl-000001/scd4x_co2/config") in ACCEPTED
            assert dev2.publish("homeassistant/sensor/rl-000002/scd4x_co2/config") == NOT_AUTHORIZED
            assert dev1.publish("homeassistant/sensor/rl-000002/scd4x_co2/config") == NOT_AUTHORIZED
            # the live view itself, as a technician starts it
            env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "REALLABOR_LANG")}
            env.update(PYTHONPATH=str(ROOT / "host"), REALLABOR_DATA=str(data_dir), LANG="en_GB.UTF-8")
            web = free_port()
            server = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "live", "--broker",
                                       f"mqtt://live@127.0.0.1:{port}", "--listen", f"127.0.0.1:{web}", "--site",
                                       "makerspace"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=env, cwd=ROOT)
            try:
                first = server.stdout.readline()
                assert "account live" in first and password not in first, first + server.stderr.read()
                assert "Live view: http://127.0.0.1:" in server.stdout.readline()
                body = {"v": 1, "device": "rl-000001", "seq": 1, "time": int(time.time()),
                        "readings": {"scd4x": {"co2": {"value": 1234, "unit": "ppm"}}}, "health": {"scd4x": "ok"}}
                dev1.c.publish("reallabor/makerspace/rl-000001/state", json.dumps(body), qos=1).wait_for_publish(5)
                deadline = time.time() + 10
                rows = []
                while time.time() < deadline:
                    with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/fleet", timeout=5) as r:
                        rows = json.loads(r.read())["rows"]
                    if any(r["seq"] == 1 for r in rows):
                        break
                    time.sleep(0.1)
                by = {r["device"]: r for r in rows}
                assert by["rl-000001"]["seq"] == 1 and by["rl-000001"]["name"] == "Werkbank 1"
                assert by["rl-000002"]["state"] == "never"
            finally:
                server.terminate()
                out, err = server.communicate(timeout=10)
            assert server.returncode == 0 and "Traceback" not in err, err
            assert password not in out + err
            # a wrong password is a message, not a traceback
            env["REALLABOR_LIVE_PASSWORD"] = "wrong"
            done = subprocess.run([sys.executable, "-m", "reallabor.cli", "live", "--broker",
                                   f"mqtt://live@127.0.0.1:{port}", "--listen", "127.0.0.1:0"], capture_output=True,
                                  text=True, env=env, cwd=ROOT, timeout=30)
            assert done.returncode == 2 and "refuses the account live" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
        finally:
            for c in (live, dev1, dev2, anonymous):
                c.close()


def test_provision_records_discovery_and_the_acl_follows(virtual_board, data_dir, tmp_path, cli, site_profile):
    profile = site_profile(data_dir)
    raw = json.loads(profile.read_text())
    raw["mqtt"]["discovery"] = True
    profile.write_text(json.dumps(raw))
    vb = virtual_board()
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    done = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof")
    assert done.returncode == 0, done.stderr
    (r,) = Inventory(data_dir).select()
    assert r.discovery == 1
    passwd = tmp_path / "mosquitto.passwd"
    assert cli("export", "mosquitto", "--out", passwd).returncode == 0
    acl = passwd.with_suffix(".acl").read_text()
    assert f"user {r.id}\ntopic readwrite reallabor/hof/{r.id}/#\ntopic write homeassistant/sensor/{r.id}/#\n" in acl
    assert "user live\ntopic read reallabor/#\ntopic read v3/+/devices/+/up\n" in acl
