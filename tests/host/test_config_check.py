"""The host's config checks (issue 16, points 6, 8, 9): the firmware's validator on the bytes the
device reads, a site profile's version is the number 1, verify shows the site as written (UTF-8
or an error, never mojibake) and says what is wrong in the user's language."""

import json

import pytest

from reallabor.boardio import verify
from reallabor.firmware import devicecode
from reallabor.fleet import sites
from reallabor.i18n import describe

pytestmark = pytest.mark.usefixtures("english")


def profile(**changes):
    raw = {"format": "reallabor-site", "version": 1, "site": "hof", "wifi": {"ssid": "R", "password": "geheim123"},
           "mqtt": {"url": "mqtts://broker.example.org:8883"}, "sensors": [{"type": "bme280"}]}
    raw.update(changes)
    return raw


def test_a_tls_site_without_a_ca_is_refused():
    assert sites.check(profile()) is None
    problem = sites.check(profile(mqtt={"url": "mqtts://broker.example.org:8883", "ca": ""}))
    assert problem.field == "mqtt.ca"
    assert describe(problem) == ('field "mqtt.ca" is empty (needed: a CA file for mqtts://; without one the node '
                                 'does not connect, nor in plain text)')


def test_version_true_is_no_version_1():
    assert sites.check(profile(version=True)).field == "format"
    assert sites.check(profile(version=1.0)).field == "format"


def test_what_the_host_took_before_and_the_device_could_not_use():
    for changes in ({"mqtt": {"url": "mqtt://h:1883:1883"}}, {"mqtt": {"url": "mqtt://h:1883", "prefix": "a\nb"}},
                    {"interval_s": float("inf")}, {"sensors": [{"type": "bme280", "bus": "i2c\u0661"}]},
                    {"sensors": [{"type": "bh1750", "name": f"l{i}", "addr": 8 + i} for i in range(5000)]}):
        assert sites.check(profile(**changes)) is not None, changes
    assert devicecode.check_config({"device": "rl#1"}).field == "device"
    assert devicecode.check_config(b'{"interval_s": Infinity}').key == "config.problem.syntax"


def test_verify_shows_the_site_as_written_or_says_the_file_is_not_utf8(data_dir):
    body = json.dumps({"device": "rl-a1b2c3", "site": "Hof S\u00fcd"}, ensure_ascii=False).encode()
    check = verify._config(body, None, data_dir)
    assert check.ok and check.params["site"] == "Hof S\u00fcd"
    check = verify._config(body.replace("\u00fc".encode(), b"\xfc"), None, data_dir)  # Latin-1
    assert not check.ok and check.params["problem"] == '"config.json" is not UTF-8 text (byte 38)'
    assert verify._parsed(body.replace("\u00fc".encode(), b"\xfc")) is None


def test_a_lone_surrogate_in_a_bus_name_is_refused_not_a_crash():
    # Only a dict from the host can hold one (config.json's bytes cannot): refused like any other
    # bad bus name, as before the validator checked digits as bytes.
    config = devicecode.config()
    with pytest.raises(config.ConfigError) as e:
        config.validate({"i2c": {"i2c\ud800": {}}})
    assert (e.value.field, e.value.problem) == ("i2c.i2c\ud800", config.TYPE)
