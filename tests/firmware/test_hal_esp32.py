# hal/esp32.py takes its pins from board.json. machine and network cannot exist on the unix port,
# so small stand-ins record what the HAL asks of them.
import json
import sys

from support import raises

CALLS = []


class Pin:
    OUT = 1

    def __init__(self, n, mode=None, value=None):
        self.n = n
        if mode is not None:
            CALLS.append(("pin", n, mode, value))


class I2C:
    def __init__(self, bus_id, scl, sda, freq):
        CALLS.append(("i2c", bus_id, scl.n, sda.n, freq))


class UART:
    def __init__(self, bus_id, baudrate, tx, rx, timeout):
        CALLS.append(("uart", bus_id, baudrate, tx, rx, timeout))


class _Machine:
    Pin = Pin
    I2C = I2C
    UART = UART
    PWRON_RESET, WDT_RESET, DEEPSLEEP_RESET = 1, 3, 4  # the esp32 port's values
    cause = 1

    @staticmethod
    def unique_id():
        return b"\x24\x6f\x28\xa1\xb2\xc3"

    @staticmethod
    def reset_cause():
        return _Machine.cause


sys.modules["machine"] = _Machine
sys.modules["network"] = object()

from hal import esp32  # noqa: E402  (after the stand-ins)

# The parts of boards/heltec-wifi-lora32-v3.json the HAL reads.
HELTEC = {
    "name": "heltec-wifi-lora32-v3",
    "i2c": {"i2c0": {"id": 0, "sda": 41, "scl": 42, "freq": 400000}, "i2c1": {"id": 1, "sda": 17, "scl": 18}},
    "vext": {"pin": 36, "active_low": True},
}


def fresh(board):
    CALLS.clear()
    esp32._board = None
    esp32._buses.clear()
    with open("board.json", "w") as f:
        json.dump(board, f)


def test_buses_come_from_the_board_file():
    fresh(HELTEC)
    bus = esp32.i2c("i2c0")
    assert CALLS == [("i2c", 0, 42, 41, 400000)]
    assert esp32.i2c("i2c0") is bus  # built once
    esp32.i2c("i2c1")
    assert CALLS[-1] == ("i2c", 1, 18, 17, 400000)


def test_switched_supply_is_turned_on_at_setup():
    fresh(HELTEC)
    esp32.setup()
    assert CALLS == [("pin", 36, Pin.OUT, 0)]  # active low: 0 = on
    fresh({"vext": {"pin": 5, "active_low": False}})
    esp32.setup()
    assert CALLS == [("pin", 5, Pin.OUT, 1)]


def test_unknown_bus_reports_absent_sensors():
    fresh(HELTEC)
    bus = esp32.i2c("i2c3")
    assert raises(OSError, bus.readfrom_mem_into, 0x76, 0xD0, bytearray(1)).args[0] == 19
    assert CALLS == []


def test_missing_board_file_leaves_no_buses():
    fresh(HELTEC)
    import os

    os.remove("board.json")
    assert raises(OSError, esp32.i2c("i2c0").writeto_mem, 0x76, 0xF4, b"\x00").args[0] == 19


def test_device_id_from_the_mac():
    assert esp32.mac() == b"\x24\x6f\x28\xa1\xb2\xc3"
    assert esp32.device_id() == "rl-a1b2c3"


def test_uart_from_the_board_file_never_blocks():
    fresh({"name": "esp32-devkitc", "uart": {"uart2": {"id": 2, "tx": 17, "rx": 16}}})
    esp32.uart("uart2", 9600)
    assert CALLS == [("uart", 2, 9600, 17, 16, 0)]  # timeout=0: drivers poll
    e = raises(OSError, esp32.uart("uart1", 9600).write, b"\xaa")
    assert e.args[0] == 19  # a UART the board does not define: the sensor is "absent"


def test_reset_causes():
    for value, cause in ((1, "power"), (3, "watchdog"), (4, "deepsleep")):
        _Machine.cause = value
        assert esp32.reset_cause() == cause
