"""Sessions in a real Mosquitto with the exported configuration (include snippet, password file,
ACL): a device that logs in with its own account but another device's client id neither pushes
that device off nor gets its persistent session; each device still finds its own session after a
reconnect, the firmware on a virtual board too (after a press of its RESET button)."""

import json
import os
import re
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho

from reallabor.fleet import exports
from reallabor.fleet.inventory import Inventory, Record
from reallabor.mqtt.mosquitto import Mosquitto, free_port

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"


def record(n):
    return Record(mac=f"24:6f:28:00:00:{n:02x}", id=f"rl-0000{n:02x}", name=f"Hof {n}", board="esp32-devkitc",
                  site="hof", prefix="reallabor", firmware="f" * 16, config_hash="c" * 16,
                  time="2026-05-14T00:00:00Z", mqtt_user=f"rl-0000{n:02x}", mqtt_hash=exports.mosquitto_hash(f"pw-{n}"))


class Session:
    """An MQTT 3.1.1 client as the firmware is one: a persistent session (clean session 0)."""

    def __init__(self, port, user, password, client_id):
        self.connack = threading.Event()
        self.dropped = threading.Event()
        self.flags = self.reason = None
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                             protocol=paho.MQTTv311)
        self.c.username_pw_set(user, password)
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = lambda *a: self.dropped.set()
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert self.connack.wait(10)

    def _on_connect(self, client, userdata, flags, reason, props):
        self.flags, self.reason = flags, reason
        self.connack.set()

    @property
    def present(self) -> bool:
        return bool(self.flags.session_present)

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def broker_config(data_dir, tmp_path, cli, log: Path | None = None) -> str:
    passwd = tmp_path / "out" / "mosquitto.passwd"
    done = cli("export", "mosquitto", "--out", passwd, data=data_dir)
    assert done.returncode == 0, done.stderr
    extra = passwd.with_suffix(".include.conf").read_text()  # as the technician includes it
    if log:  # the broker says what it answers each CONNECT: "Sending CONNACK to ID (present, rc)"
        extra += f"log_dest file {log}\nlog_type all\n"
    return extra + ("user root\n" if os.geteuid() == 0 else "")


def test_a_device_cannot_take_over_another_devices_session(data_dir, tmp_path, cli):
    inventory = Inventory(data_dir)
    inventory.save(record(1))
    inventory.save(record(2))
    port = free_port()
    with Mosquitto(broker_config(data_dir, tmp_path, cli), port=port):
        victim = Session(port, "rl-000001", "pw-1", "rl-000001")
        assert victim.reason == 0 and not victim.present  # a new session
        victim.c.subscribe("reallabor/hof/rl-000001/cmd", qos=1)  # something the session holds
        time.sleep(0.3)
        intruder = Session(port, "rl-000002", "pw-2", "rl-000001")  # its own account, the victim's client id
        try:
            assert intruder.reason == 0  # its account is valid ...
            assert not intruder.present  # ... but the victim's session is not handed over
            assert not victim.dropped.wait(1.0)  # and the victim stays connected
        finally:
            intruder.close()
            victim.close()
        # each finds its own session again after a reconnect, whatever client id it sends
        again = Session(port, "rl-000001", "pw-1", "rl-000001")
        assert again.present
        again.close()
        other = Session(port, "rl-000002", "pw-2", "anything")
        assert other.present  # the intruder's session is its own account's
        other.close()


def test_the_firmware_finds_its_session_after_a_reset(virtual_board, data_dir, tmp_path, cli, site_profile):
    port = free_port()
    site_profile(data_dir, broker=f"mqtt://127.0.0.1:{port}")
    vb = virtual_board(env={"RL_TRACE": str(TRACE)})
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    done = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof")
    assert done.returncode == 0, done.stderr
    config = json.loads((vb.flash / "config.json").read_text())
    device = config["device"]
    assert config["mqtt"]["user"] == device  # the account is the client id: the broker's binding keeps it
    log = tmp_path / "broker.log"
    with Mosquitto(broker_config(data_dir, tmp_path, cli, log), port=port):
        first = connacks(log, device, 1)
        vb.press_reset()  # a power-on: the old connection ends without a DISCONNECT
        both = connacks(log, device, 2)
    assert first == [(0, 0)], log.read_text()[-3000:]  # a new session
    assert both == [(0, 0), (1, 0)], log.read_text()[-3000:]  # its own session again


def connacks(log: Path, client_id: str, count: int, timeout: float = 60) -> list[tuple[int, int]]:
    """The first count CONNACKs the broker sent to client_id: (session present, return code)."""
    deadline = time.monotonic() + timeout
    found = []
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        text = log.read_text() if log.exists() else ""
        found = [(int(a), int(b)) for a, b in re.findall(rf"Sending CONNACK to {client_id} \((\d), (\d+)\)", text)]
    return found[:count]


def test_readers_of_one_account_share_a_connection(data_dir, tmp_path, cli):
    """verify reads several boards at once with one account: with the client id bound to the
    account, two connections of it would push each other off; the readers share one."""
    from reallabor.mqtt.reader import Reader

    inventory = Inventory(data_dir)
    inventory.save(record(1))
    inventory.save(record(2))
    port = free_port()
    with Mosquitto(broker_config(data_dir, tmp_path, cli), port=port):
        live = Path(data_dir / "live" / "mqtt-password").read_text().strip()
        a = Reader("127.0.0.1", port, ["reallabor/hof/rl-000001/#"], "live", live).__enter__()
        b = Reader("127.0.0.1", port, ["reallabor/hof/rl-000002/#"], "live", live).__enter__()
        try:
            for n in (1, 2):
                device = Session(port, f"rl-0000{n:02x}", f"pw-{n}", f"rl-0000{n:02x}")
                device.c.publish(f"reallabor/hof/rl-0000{n:02x}/state", f"s{n}", qos=1).wait_for_publish(5)
                device.close()
            got_a, got_b = a.wait(5), b.wait(5)
            time.sleep(0.5)
            got_a += a.received()
            got_b += b.received()
            assert [(m.topic, m.payload) for m in got_a] == [("reallabor/hof/rl-000001/state", b"s1")]
            assert [(m.topic, m.payload) for m in got_b] == [("reallabor/hof/rl-000002/state", b"s2")]
        finally:
            b.__exit__()
        # the other reader keeps reading after one has left
        device = Session(port, "rl-000001", "pw-1", "rl-000001")
        device.c.publish("reallabor/hof/rl-000001/state", "again", qos=1).wait_for_publish(5)
        device.close()
        try:
            assert [m.payload for m in a.wait(5)] == [b"again"]
        finally:
            a.__exit__()
