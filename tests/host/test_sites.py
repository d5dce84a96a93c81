"""Site profiles as a technician makes them: `site new` writes a commented template (mode 0600)
that is refused until every CHANGE-ME is replaced, "_comment" fields are accepted and ignored, and
a --site name that differs from the file's "site" is an error."""

import json
import os
import stat

import pytest

from reallabor.errors import ReallaborError
from reallabor.fleet import sites

pytestmark = pytest.mark.usefixtures("english")


def test_the_template_is_private_commented_and_refused_until_filled(data_dir):
    path = sites.create("hof", data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = json.loads(path.read_text())
    assert all("_comment" in raw[k] for k in ("wifi", "mqtt", "lora")) and "_comment" in raw
    assert raw["mqtt"]["discovery"] is False and raw["deep_sleep"] is False
    with pytest.raises(ReallaborError) as e:
        sites.load("hof", data_dir)
    assert e.value.exit_code == 2 and 'field "wifi.ssid" still holds the template\'s CHANGE-ME' in e.value.detail_lines()[0]
    raw["wifi"].update(ssid="Reallabor", password="geheim")
    raw["mqtt"]["url"] = "mqtts://broker.example.org:8883"
    path.write_text(json.dumps(raw))
    site = sites.load("hof", data_dir)
    assert site.name == "hof" and site.sensors == [{"type": "bme280", "name": "air"}]  # the comment is gone
    assert "_comment" not in site.mqtt and site.deep_sleep is False
    with pytest.raises(ReallaborError) as e:
        sites.create("hof", data_dir)
    assert e.value.key == "site.exists"
    sites.create("hof", data_dir, force=True)
    with pytest.raises(ReallaborError) as e:
        sites.create("Hof Süd", data_dir)
    assert e.value.key == "site.bad_name" and e.value.exit_code == 2


def test_a_site_name_other_than_the_file_s_is_an_error(data_dir):
    path = data_dir / "sites" / "wald.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": "reallabor-site", "version": 1, "site": "hof",
                                "mqtt": {"url": "mqtt://127.0.0.1:1883"}}))
    os.chmod(path, 0o600)
    with pytest.raises(ReallaborError) as e:
        sites.load("wald", data_dir)
    assert e.value.key == "site.name_mismatch" and e.value.exit_code == 2
    assert 'is the profile of site "hof", not "wald"' in e.value.message()
    assert sites.load(str(path), data_dir).name == "hof"  # a path is taken as it is


def test_every_documented_field_is_accepted(data_dir):
    path = data_dir / "sites" / "all.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {"_comment": "x", "format": "reallabor-site", "version": 1, "site": "all",
               "wifi": {"_comment": "y", "ssid": "s", "password": "p"},
               "mqtt": {"url": "mqtts://b.example.org:8883", "prefix": "rl", "keepalive_s": 30, "discovery": True,
                        "ca": "ca.pem"},
               "interval_s": 300, "deep_sleep": True, "ntp": "ntp.example.org",
               "sensors": [{"_comment": "z", "type": "bme280", "name": "air"}],
               "lora": {"join_eui": "70B3D57ED0000000", "frequency_plan": "EU_863_870_TTN"}}
    path.write_text(json.dumps(profile))
    os.chmod(path, 0o600)
    site = sites.load("all", data_dir)
    assert (site.deep_sleep, site.ntp, site.mqtt["discovery"], site.interval_s) == (True, "ntp.example.org", True, 300)
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "provisioning.md").read_text()
    for field in ("`mqtt.discovery`", "`mqtt.keepalive_s`", "`mqtt.ca`", "`mqtt.prefix`", "`deep_sleep`", "`ntp`",
                  "`interval_s`", "`sensors`", "`lora`", "`wifi`", "`_comment`"):
        assert field in doc, field
