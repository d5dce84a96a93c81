"""The inventory remembers whether the last broker export let a device write its Home Assistant
discovery configs: turning discovery on makes the device "changed" for the next export, and an
export from before this was recorded stays comparable on what it did carry."""

import json
import sqlite3
from dataclasses import replace

from reallabor.fleet.inventory import Inventory
from tests.host.test_export_fields import record


def test_discovery_is_part_of_what_the_broker_export_carries(data_dir):
    inventory = Inventory(data_dir)
    plain = record(1, discovery=0)
    inventory.save(plain)
    inventory.exported("mosquitto", "passwd", [plain])
    assert inventory.exported_as(plain)[1]["discovery"] == 0
    announcing = replace(plain, discovery=1)
    inventory.save(announcing)
    assert inventory.changes("mosquitto", [announcing]).changed == ["rl-000001"]
    inventory.exported("mosquitto", "passwd", [announcing])
    assert inventory.changes("mosquitto", [announcing]).changed == []
    assert inventory.exported_as(announcing)[1]["discovery"] == 1


def test_an_older_export_is_compared_on_what_it_carried(data_dir):
    inventory = Inventory(data_dir)
    r = record(1, discovery=1)
    inventory.save(r)
    older = {r.mac: [r.mqtt_user, r.mqtt_hash, r.prefix, r.site, r.id]}  # before the discovery field
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        db.execute("INSERT INTO exports VALUES ('mosquitto', '', 'passwd', '2026-05-01T00:00:00Z', ?)",
                   (json.dumps(older),))
    assert inventory.changes("mosquitto", [r]).changed == []
    when, carried = inventory.exported_as(r)
    assert when == "2026-05-01T00:00:00Z" and "discovery" not in carried
    assert inventory.exported_password(r) == (when, "same")
    assert inventory.changes("mosquitto", [replace(r, mqtt_hash="$7$101$x$y")]).changed == ["rl-000001"]
