"""The exported Mosquitto password file and ACL in a real Mosquitto: each device publishes to its
own topics and is refused on another device's; the firmware on a provisioned virtual board logs in
with its own account and publishes its state."""

from pathlib import Path
import json
import os
import queue
import threading

import paho.mqtt.client as paho

from reallabor.mqtt.mosquitto import Mosquitto, free_port

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"
NOT_AUTHORIZED = 0x87
ACCEPTED = (0x00, 0x10)  # success; "no matching subscribers" (accepted, nobody listening yet)



class Client:
    """paho with MQTT 5, so a refused publish comes back as a PUBACK reason code."""

    def __init__(self, port, user, password):
        self.acks = {}
        self.messages = queue.Queue()
        self.connected = threading.Event()
        self.reason = None
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self.c.username_pw_set(user, password)
        self.c.on_connect = self._on_connect
        self.c.on_publish = lambda client, userdata, mid, reason, props: self.acks.setdefault(mid, reason)
        self.c.on_message = lambda client, userdata, m: self.messages.put((m.topic, m.payload))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert self.connected.wait(10)

    def _on_connect(self, client, userdata, flags, reason, props):
        self.reason = reason
        self.connected.set()

    def publish(self, topic) -> int:
        info = self.c.publish(topic, b"x", qos=1)
        info.wait_for_publish(10)
        return self.acks[info.mid].value

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def test_each_device_may_write_only_its_own_topics(virtual_board, data_dir, tmp_path, cli, site_profile):
    port = free_port()
    site_profile(data_dir, broker=f"mqtt://127.0.0.1:{port}")
    a = virtual_board(env={"RL_TRACE": str(TRACE)})
    b = virtual_board()
    for vb in (a, b):
        assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
        done = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof")
        assert done.returncode == 0, done.stderr
    passwd = tmp_path / "out" / "mosquitto.passwd"
    assert cli("export", "mosquitto", "--out", passwd).returncode == 0
    acl = passwd.with_suffix(".acl")
    conf = json.loads((a.flash / "config.json").read_text()), json.loads((b.flash / "config.json").read_text())
    (id_a, pw_a), (id_b, pw_b) = [(c["device"], c["mqtt"]["password"]) for c in conf]
    # As root Mosquitto would drop to its own user, which cannot read our 0600 files.
    extra = f"allow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n" + ("user root\n" if os.geteuid() == 0 else "")
    with Mosquitto(extra, port=port):
        client_a = Client(port, id_a, pw_a)
        try:
            assert client_a.reason == 0
            assert client_a.publish(f"reallabor/hof/{id_a}/state") in ACCEPTED
            assert client_a.publish(f"reallabor/hof/{id_a}/status") in ACCEPTED
            assert client_a.publish(f"reallabor/hof/{id_b}/state") == NOT_AUTHORIZED
            assert client_a.publish("reallabor/hof/state") == NOT_AUTHORIZED
            # The firmware on board A, rebooted by provision, connects with its account and publishes.
            client_a.c.subscribe(f"reallabor/hof/{id_a}/state", qos=1)
            topic, payload = client_a.messages.get(timeout=30)
            assert topic == f"reallabor/hof/{id_a}/state" and json.loads(payload)["device"] == id_a
        finally:
            client_a.close()
        wrong = Client(port, id_b, pw_a)
        assert wrong.reason != 0  # A's password does not open B's account
        wrong.close()
        anonymous = Client(port, None, None)
        assert anonymous.reason != 0
        anonymous.close()
