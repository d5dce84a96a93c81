# config.checked.json (node/checked.py): a boot takes the config the validator passed for these very
# files, and checks config.json again after any change to it, to capture.json or to the firmware.
import sys

from node import app, checked

CONFIG = '{"site": "hof", "interval_s": 60, "mqtt": {"url": "mqtt://broker:1883"}, "sensors": [{"type": "bme280"}]}'


def write(text, path="config.json"):
    with open(path, "w") as f:
        f.write(text)


class ValidatorLoaded(Exception):
    pass


class _NoValidator:
    # in place of node.config: a boot that loads the validator fails with ValidatorLoaded
    class ConfigError(Exception):
        pass

    def load(self):
        raise ValidatorLoaded()


def boot_without_validator():
    import node

    node.config = sys.modules["node.config"] = _NoValidator()
    try:
        return app.read_config()
    finally:
        sys.modules.pop("node.config", None)
        if hasattr(node, "config"):
            del node.config


def test_the_second_boot_takes_the_checked_config_without_the_validator():
    write(CONFIG)
    first = app.read_config()
    assert first["interval_s"] == 60 and first["mqtt"]["keepalive_s"] == 120  # a default the validator filled in
    assert boot_without_validator() == first


def test_a_changed_config_is_checked_again():
    write(CONFIG)
    app.read_config()
    write(CONFIG.replace('"interval_s": 60', '"interval_s": 300'))
    assert app.read_config()["interval_s"] == 300
    assert boot_without_validator()["interval_s"] == 300  # and the checked file follows


def test_a_broken_config_is_not_hidden_by_the_one_checked_before():
    write(CONFIG)
    app.read_config()
    write(CONFIG.replace('"interval_s": 60', '"interval_s": "soon"'))
    assert app.read_config() is None  # safe mode, as without the file


def test_a_capture_override_or_another_firmware_is_checked_again():
    write(CONFIG)
    app.read_config()
    write('{"to": "console"}', "capture.json")
    assert app.read_config()["capture"]["to"] == "console"
    write('{"firmware":"0123abcd"}', "firmware.json")  # a deploy of other firmware
    try:
        boot_without_validator()
    except ValidatorLoaded:
        pass
    else:
        raise AssertionError("the config checked by another firmware was taken")


def test_a_damaged_checked_file_sends_the_boot_to_the_validator():
    write(CONFIG)
    cfg = app.read_config()
    with open(checked.PATH) as f:
        key = f.readline()
    write(key + '{"interval_s": 6', checked.PATH)
    assert app.read_config() == cfg
