"""Names in a real Mosquitto: a device name with "#", "+" and quotes stays text in the exported ACL
(no device gains a topic by it), and an inventory row with the name that once wrote rules into the
ACL is refused by the export, so no such ACL reaches the broker."""

import os

from reallabor.fleet.inventory import Inventory
from reallabor.mqtt.mosquitto import Mosquitto, free_port

from tests.e2e.test_broker_acl import ACCEPTED, NOT_AUTHORIZED, Client
from tests.host.test_export_fields import INJECTED, raw_save, record


def test_names_with_wildcards_grant_nothing_and_an_injected_name_is_refused(data_dir, tmp_path, cli):
    inventory = Inventory(data_dir)
    inventory.save(record(1, name='Werkbank #1 + "alles"', prefix="reallabor"))
    inventory.save(record(2, name="# +", prefix="reallabor"))
    passwd = tmp_path / "out" / "mosquitto.passwd"
    done = cli("export", "mosquitto", "--out", passwd)
    assert done.returncode == 0, done.stderr
    extra = passwd.with_suffix(".include.conf").read_text() + ("user root\n" if os.geteuid() == 0 else "")
    port = free_port()
    with Mosquitto(extra, port=port):
        one, two = Client(port, "rl-000001", "pw1"), Client(port, "rl-000002", "pw2")
        try:
            assert one.reason == 0 and two.reason == 0
            assert one.publish("reallabor/hof/rl-000001/state") in ACCEPTED
            for topic in ("reallabor/hof/rl-000001/state", "reallabor/hof/state", "x", "reallabor/other/rl-000002/state"):
                assert two.publish(topic) == NOT_AUTHORIZED, topic
        finally:
            one.close()
            two.close()
    raw_save(data_dir, record(3, name=INJECTED, prefix="reallabor"))  # as the old provision left it
    before = passwd.with_suffix(".acl").read_text()
    refused = cli("export", "mosquitto", "--out", passwd, "--lang", "en")
    assert refused.returncode == 2 and "Device rl-000003" in refused.stderr, refused.stderr
    assert passwd.with_suffix(".acl").read_text() == before  # the last good ACL stays as it was
