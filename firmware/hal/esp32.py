# ESP32, ESP32-S3 and ESP32-C3 boards: machine.I2C, WLAN, NTP. Pins come from /board.json, the
# board definition deploy writes next to config.json (boards/*.json on the host).
import json
import time

import machine
import network

from hal.tcp import open_tcp  # noqa: F401  (part of the board interface)
from node import clock, log

_UNIX_2000 = 946684800  # seconds from 1970 to 2000: older ports count from 2000
_WIFI_TIMEOUT_MS = 15000
_board = {}


def setup():
    global _board
    try:
        with open("board.json") as f:
            _board = json.load(f)
    except (OSError, ValueError):
        _board = {}  # default pins below; a missing file is reported by `reallabor verify`
    _sync_from_rtc()


def _epoch_offset():
    return _UNIX_2000 if time.gmtime(0)[0] == 2000 else 0


def _sync_from_rtc():
    # The RTC keeps wall time across deep sleep and soft resets; before 2024 it was never set.
    now = time.time() + _epoch_offset()
    if now > 1704067200:
        clock.set_epoch_ms(now * 1000)


def device_id():
    mac = network.WLAN(network.STA_IF).config("mac")
    return "rl-" + mac[3:].hex()


def i2c(name):
    pins = _board.get("i2c", {}).get(name, {"sda": 21, "scl": 22})
    return machine.I2C(int(name[3:]), scl=machine.Pin(pins["scl"]), sda=machine.Pin(pins["sda"]),
                       freq=pins.get("freq", 100000))


def connect_network(wifi):
    wlan = network.WLAN(network.STA_IF)
    if wlan.isconnected():
        return
    if not wifi or not wifi["ssid"]:
        raise OSError("no wifi configured")
    wlan.active(True)
    wlan.connect(wifi["ssid"], wifi["password"])
    start = time.ticks_ms()
    while not wlan.isconnected():
        if time.ticks_diff(time.ticks_ms(), start) > _WIFI_TIMEOUT_MS:
            raise OSError("wifi: no connection to %s" % wifi["ssid"])
        time.sleep_ms(100)
    try:
        import ntptime

        ntptime.settime()
        clock.set_epoch_ms((time.time() + _epoch_offset()) * 1000)
    except (OSError, OverflowError) as e:
        log.warn("ntp: %r" % e)


def running():
    return True


def stopped():
    machine.reset()  # the cycle never ends on a board; if it does, start afresh
