"""The board files and the schema that guards them: real files load, bad pins are refused with a
message naming the field and the pin."""

import copy
import json

import pytest

from reallabor import boards
from reallabor.errors import ReallaborError
from reallabor.i18n import describe, set_language
from reallabor.env import BOARDS

pytestmark = pytest.mark.usefixtures("english")  # messages checked in English


def worded(d) -> list[str]:
    """The board validator's problems, as a technician reads them."""
    return [describe(p) for p in boards.validate(d)]


def data(name="esp32-devkitc") -> dict:
    return copy.deepcopy(json.loads((BOARDS / f"{name}.json").read_text()))


def test_the_six_boards_load_with_their_flash_layout():
    expected = {
        "esp32-devkitc": ("esp32", "ESP32_GENERIC", 0x1000, 4),
        "esp32s3-devkitc": ("esp32s3", "ESP32_GENERIC_S3", 0x0, 8),
        "esp32c3-devkitm": ("esp32c3", "ESP32_GENERIC_C3", 0x0, 4),
        "heltec-wifi-lora32-v3": ("esp32s3", "ESP32_GENERIC_S3", 0x0, 8),
        "ttgo-lora32-v2.1": ("esp32", "ESP32_GENERIC", 0x1000, 4),
        "tbeam": ("esp32", "ESP32_GENERIC", 0x1000, 4),
    }
    assert boards.names() == sorted(expected)
    for name, (chip, build, offset, mb) in expected.items():
        b = boards.load(name)
        assert (b.chip, b.build, b.flash_offset, b.flash_size) == (chip, build, offset, mb << 20), name


def test_lora_boards_carry_their_radio():
    heltec = boards.load("heltec-wifi-lora32-v3").lora
    assert heltec["chip"] == "sx1262" and heltec["tcxo_v"] == 1.8 and heltec["busy"] == 13
    assert boards.load("ttgo-lora32-v2.1").lora["dio0"] == 26
    assert boards.load("esp32-devkitc").lora is None


def test_unknown_board_lists_the_known_ones():
    with pytest.raises(ReallaborError) as e:
        boards.load("esp32-devkit")
    assert "esp32-devkitc" in e.value.message() and "tbeam" in e.value.message()


@pytest.mark.parametrize("pin, words", [
    (7, ["i2c.i2c0.sda", "GPIO 7", "reserved for flash"]),
    (20, ["i2c.i2c0.sda", "GPIO 20", "does not exist"]),
    (40, ["i2c.i2c0.sda", "GPIO 40", "does not exist"]),
    (-1, ["i2c.i2c0.sda", "GPIO -1", "does not exist"]),
    (35, ["i2c.i2c0.sda", "GPIO 35", "input-only"]),
    (17, ["i2c.i2c0.sda", "GPIO 17", "already used"]),
])
def test_bad_pins_are_refused_naming_the_pin(pin, words):
    d = data()
    d["i2c"]["i2c0"]["sda"] = pin
    problems = worded(d)
    assert len(problems) == 1, problems
    for w in words:
        assert w in problems[0]


def test_flash_pins_depend_on_the_module():
    d = data("ttgo-lora32-v2.1")  # ESP32-PICO-D4: 16/17 are flash, 9/10 are free
    d["uart"]["uart1"]["tx"] = 16
    assert "reserved for flash" in " ".join(worded(d))
    d["uart"]["uart1"]["tx"] = 9
    assert worded(d) == []


def test_battery_must_be_on_adc1():
    d = data("ttgo-lora32-v2.1")
    d["battery"]["adc"] = 25  # ADC2: unusable while Wi-Fi runs
    [problem] = [p for p in worded(d) if "battery" in p]
    assert "battery.adc" in problem and "ADC1" in problem


def test_an_i2c_bus_takes_the_settings_the_firmware_reads_from_it():
    # firmware/hal/boardfile.py i2c_settings(): freq, timeout_us and soft, from the board file first
    d = data()
    d["i2c"]["i2c0"].update(timeout_us=200_000, soft=True)
    assert worded(d) == []
    d["i2c"]["i2c0"].update(timeout_us=0, soft="yes")
    assert worded(d) == ["i2c.i2c0.timeout_us: expected a number from 1 to 10000000",
                         "i2c.i2c0.soft: expected true or false"]
    d = data()
    d["uart"]["uart1"]["soft"] = True  # a UART has no software twin here
    assert [p.split(":")[0] for p in worded(d)] == ["uart.uart1.soft"]


def test_structure_problems_are_all_reported():
    d = data("heltec-wifi-lora32-v3")
    d["flash_offset"] = "0x1000"  # an S3 image starts at 0
    d["lora"]["chip"] = "sx1280"
    d["colour"] = "blue"
    del d["lora"]["busy"]
    problems = worded(d)
    fields = [p.split(":")[0] for p in problems]
    assert fields == ["colour", "flash_offset", "lora.chip"]
    d["lora"]["chip"] = "sx1262"
    assert "lora.busy" in " ".join(worded(d))


def test_invalid_file_names_every_problem(tmp_path):
    d = data()
    d["i2c"]["i2c0"]["scl"] = 6
    d["led"] = {"pin": 39, "kind": "gpio", "active_low": False}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(d))
    with pytest.raises(ReallaborError) as e:
        boards.load(str(path))
    assert [p.field for p in e.value.details] == ["i2c.i2c0.scl", "led.pin"]


def test_messages_are_german_by_default():
    set_language("de")
    d = data()
    d["spi"]["spi2"]["sck"] = 8
    assert "für Flash/PSRAM reserviert" in worded(d)[0]


def test_device_json_is_the_file_data_and_the_chips_facts():
    b = boards.load("tbeam")
    assert json.loads(b.device_json()) == {**data("tbeam"), "chip_facts": {"i2c_stretch_cap_us": 13107}}
    assert json.loads(boards.load("heltec-wifi-lora32-v3").device_json())["chip_facts"] == {"i2c_stretch_cap_us": 0}
