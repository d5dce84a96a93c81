# hal/esp32.py takes its pins from board.json, against stand-ins for machine and network
# (esp32standins.py) that record what the HAL asks of them.
import json

from esp32standins import CALLS, I2C_DEVICES, WLAN, Pin, _Machine, _Network
from support import RegisterDevice, raises

from hal import esp32  # noqa: E402  (after the stand-ins)

# The parts of boards/heltec-wifi-lora32-v3.json the HAL reads.
HELTEC = {
    "name": "heltec-wifi-lora32-v3",
    "i2c": {"i2c0": {"id": 0, "sda": 41, "scl": 42, "freq": 400000}, "i2c1": {"id": 1, "sda": 17, "scl": 18}},
    "vext": {"pin": 36, "active_low": True},
}


def fresh(board):
    from hal import boardfile

    CALLS.clear()
    boardfile._board = None
    esp32._buses.clear()
    with open("board.json", "w") as f:
        json.dump(board, f)


def test_buses_come_from_the_board_file():
    fresh(HELTEC)
    bus = esp32.i2c("i2c0")
    assert CALLS == [("i2c", 0, 42, 41, 400000, 50000)]  # MicroPython's default timeout: 50 ms
    assert esp32.i2c("i2c0") is bus  # built once
    esp32.i2c("i2c1")
    assert CALLS[-1] == ("i2c", 1, 18, 17, 400000, 50000)


def test_bus_speed_and_timeout_from_the_board_file_or_the_config():
    board = json.loads(json.dumps(HELTEC))
    board["i2c"]["i2c0"].update(freq=100000, timeout_us=13000)
    fresh(board)
    esp32.i2c("i2c0")
    assert CALLS == [("i2c", 0, 42, 41, 100000, 13000)]
    esp32.i2c("i2c1", {"freq": 50000, "timeout_us": 200000, "soft": True})  # an SCD30 on a software bus
    assert CALLS[-1] == ("softi2c", 18, 17, 50000, 200000)


def test_switched_supply_is_turned_on_at_setup():
    from node import clock

    fresh(HELTEC)
    start = clock.ticks()
    assert esp32.setup() == 0  # the sensors' supply has just come on
    assert CALLS == [("pin", 36, Pin.OUT, 0)]  # active low: 0 = on
    assert clock.diff(clock.ticks(), start) >= 50  # the switch settles first
    fresh({"vext": {"pin": 5, "active_low": False}})
    esp32.setup()
    assert CALLS == [("pin", 5, Pin.OUT, 1)]
    fresh({})
    _Machine.cause = _Machine.DEEPSLEEP_RESET
    assert esp32.setup() >= 3600000  # no switch: powered all through the deep sleep
    _Machine.cause = _Machine.PWRON_RESET


async def test_wifi_rejoin_in_progress_is_no_failure_and_never_a_second_connect():
    esp32._wlan = None
    wifi = {"ssid": "lab", "password": "pw"}
    wlan = WLAN(0)
    wlan.joined_after = 3
    esp32._wlan = wlan
    await esp32.connect_network(wifi, 1000)
    assert wlan.connects == 1 and wlan.isconnected()
    wlan.lose_access_point()  # the access point restarts: the station rejoins by itself
    wlan.joined_after = 10 ** 6
    e = await failing(esp32.connect_network(wifi, 500))
    assert e.args[0] == 115  # EINPROGRESS: not yet, not refused, and no "Wifi Internal Error"
    assert wlan.connects == 1
    wlan.joined_after = 2
    await esp32.connect_network(wifi, 1000)  # joined again without a second connect()
    assert wlan.connects == 1 and wlan.isconnected()
    wlan.state = _Network.STAT_WRONG_PASSWORD  # a station that gave up starts over
    wlan.joined_after = 1
    await esp32.connect_network(wifi, 1000)
    assert wlan.connects == 2


async def failing(coro):
    try:
        await coro
    except OSError as e:
        return e
    raise AssertionError("no OSError")


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


def test_battery_through_the_divider_or_the_power_chip():
    fresh({"battery": {"adc": 1, "multiplier": 4.9, "enable": {"pin": 37, "active_low": True}}})
    assert esp32.battery_mv() == 3949  # 806 mV at the pin, times the 390k/100k divider
    assert CALLS == [("pin", 37, Pin.OUT, 0), ("adc", 1, 3), ("pin", 37, Pin.OUT, 1)]  # divider on only to read
    I2C_DEVICES[0x34] = RegisterDevice({0x78: bytes((0xE1, 0x03))})  # AXP192: 0xE13 = 3603 steps of 1.1 mV
    fresh({"i2c": {"i2c0": {"id": 0, "sda": 21, "scl": 22}}, "battery": {"pmu": "axp192", "bus": "i2c0", "addr": 52}})
    assert esp32.battery_mv() == 3963
    fresh({})
    assert esp32.battery_mv() is None
