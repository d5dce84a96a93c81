"""Exports from the inventory: The Things Stack CSV, Mosquitto password hashes, ACL and labels."""

import base64
import csv
import io
import shutil
import subprocess

import pytest

from reallabor.fleet import exports
from reallabor.fleet.inventory import Record


def record(n, lora=True, **kw):
    base = dict(mac=f"24:6f:28:00:00:{n:02x}", id=f"rl-0000{n:02x}", name=f"Hof {n}", board="heltec-wifi-lora32-v3",
                site="hof", prefix="reallabor", firmware="f" * 16, config_hash="c" * 16, time="2026-05-14T00:00:00Z",
                mqtt_user=f"rl-0000{n:02x}", mqtt_hash=exports.mosquitto_hash(f"pw{n}"))
    if lora:
        base.update(dev_eui=f"246F28FFFE0000{n:02X}", join_eui="70B3D57ED0000000", app_key=f"{n:032X}",
                    frequency_plan="EU_863_870_TTN")
    base.update(kw)
    return Record(**base)


def test_tts_csv_parses_with_the_documented_columns():
    text = exports.tts_csv([record(1), record(2, name='Hof; "Süd"'), record(3, lora=False)])
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert text.splitlines()[0] == "dev_eui;join_eui;app_key;id;name;frequency_plan_id;lorawan_version;lorawan_phy_version"
    assert len(rows) == 2  # the board without a radio is not a LoRaWAN device
    assert rows[0] == {"dev_eui": "246F28FFFE000001", "join_eui": "70B3D57ED0000000", "app_key": "1".zfill(32),
                       "id": "rl-000001", "name": "Hof 1", "frequency_plan_id": "EU_863_870_TTN",
                       "lorawan_version": "MAC_V1_0_4", "lorawan_phy_version": "RP002_V1_0_3"}
    assert rows[1]["name"] == 'Hof; "Süd"'  # quoted, as the TTS importer expects


def test_tts_versions_are_what_the_firmware_speaks():
    # the MAC says which specification it implements in its first lines
    from reallabor.env import FIRMWARE_LIB

    head = (FIRMWARE_LIB / "node" / "net" / "lorawan.py").read_text().splitlines()[0:2]
    assert "1.0.4" in head[0] and "RP002-1.0.3" in head[1]
    assert (exports.TTS_MAC_VERSION, exports.TTS_PHY_VERSION) == ("MAC_V1_0_4", "RP002_V1_0_3")


def test_lora_labels_carry_the_tr005_identification():
    from reallabor.fleet import labels

    assert labels.label_payload(record(1)) == "LW:D0:70B3D57ED0000000:246F28FFFE000001:00000000:Srl-000001"
    assert labels.label_payload(record(2, lora=False)) == f"reallabor:{record(2, lora=False).site}/rl-000002"
    parts = labels.label_payload(record(3)).split(":")
    assert parts[:2] == ["LW", "D0"] and len(parts[2]) == len(parts[3]) == 16 and len(parts[4]) == 8


@pytest.mark.skipif(not shutil.which("mosquitto_passwd"), reason="mosquitto_passwd not installed")
def test_password_hash_matches_mosquitto_passwd(tmp_path):
    path = tmp_path / "pw"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(path), "dev", "s3cret-Passwort"], check=True)
    theirs = path.read_text().strip().split(":", 1)[1]
    salt = base64.b64decode(theirs.split("$")[3])
    assert exports.mosquitto_hash("s3cret-Passwort", salt) == theirs


def test_hashes_are_salted_and_acl_names_each_device_topic():
    assert exports.mosquitto_hash("x") != exports.mosquitto_hash("x")
    acl = exports.mosquitto_acl([record(1), record(2)])
    assert "user rl-000001\ntopic readwrite reallabor/hof/rl-000001/#\n" in acl
    assert "user rl-000002\ntopic readwrite reallabor/hof/rl-000002/#\n" in acl
    passwd = exports.mosquitto_passwd([record(1)])
    assert passwd.startswith("rl-000001:$7$101$") and "pw1" not in passwd
