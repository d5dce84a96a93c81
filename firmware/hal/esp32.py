# The ESP32 family (ESP32, S3, C3). Pins come from /board.json, the board file that deploy and
# provision copy from the host's boards/ (docs/boards.md), so one firmware serves every board.
# Only this file (and hal/tcp.py) touches machine and network.
import json

import machine
import network
import time

from hal.tcp import connect_tcp  # noqa: F401  (part of the board interface)
from node import clock, ident, log

BOARD_FILE = "board.json"
_UNIX_2000 = 946684800  # seconds from 1970 to 2000: ports that count from 2000 need this
_ENODEV = 19

_board = None
_buses = {}
_wlan = None


class _NoBus:
    # A bus the board file does not define: every sensor on it reports "absent", as on a real bus
    # where nobody acknowledges, and the cycle goes on.
    def _absent(self, *args):
        raise OSError(_ENODEV)

    readfrom_mem_into = writeto_mem = writeto = readfrom_into = write = read = readinto = any = _absent


def board():
    # The board file as a dict; {} when it is missing or broken (then no bus is known, but the
    # REPL stays reachable so a technician can deploy again).
    global _board
    if _board is None:
        try:
            with open(BOARD_FILE) as f:
                _board = json.load(f)
        except (OSError, ValueError):
            _board = {}
    return _board


def _switch(sw, on):
    machine.Pin(sw["pin"], machine.Pin.OUT, value=int(on != sw["active_low"]))


def setup():
    vext = board().get("vext")
    if vext:
        _switch(vext, True)  # switched 3.3 V for sensors (Heltec "Ve" pins)
    _wall_time_from_rtc()


def _epoch_offset():
    return _UNIX_2000 if time.gmtime(0)[0] == 2000 else 0


def _wall_time_from_rtc():
    # The RTC keeps wall time across deep sleep and soft resets; before 2024 it was never set.
    now = time.time() + _epoch_offset()
    if now > 1704067200:
        clock.set_epoch_ms(now * 1000)


def _wall_time_from_ntp():
    try:
        import ntptime

        ntptime.settime()
        clock.set_epoch_ms((time.time() + _epoch_offset()) * 1000)
    except (OSError, OverflowError) as e:
        log.warn("ntp: %r" % e)  # keep the RTC's time; the next connection tries again


def mac():
    return machine.unique_id()  # the base MAC from eFuse; the Wi-Fi station uses it unchanged


def device_id():
    return ident.device_id(mac())


def _bus(kind, name, make):
    # One machine object per bus, made on first use from the board file's pins.
    bus = _buses.get(name)
    if bus is None:
        pins = board().get(kind, {}).get(name)
        bus = _NoBus() if pins is None else make(pins)
        _buses[name] = bus
    return bus


def i2c(name):
    return _bus("i2c", name, lambda p: machine.I2C(p["id"], scl=machine.Pin(p["scl"]), sda=machine.Pin(p["sda"]),
                                                     freq=p.get("freq", 400000)))


def uart(name, baudrate):
    # timeout=0: drivers poll any()/read() and never block the cycle
    return _bus("uart", name, lambda p: machine.UART(p["id"], baudrate=baudrate, tx=p["tx"], rx=p["rx"], timeout=0))


async def connect_network(wifi, timeout_ms):
    # Waits for the station to join without blocking the sampling cycle; gives up after timeout_ms.
    global _wlan
    if wifi is None or not wifi["ssid"]:
        raise OSError(_ENODEV)  # no Wi-Fi configured: nothing to send over
    if _wlan is None:
        _wlan = network.WLAN(network.STA_IF)
        _wlan.active(True)
    if _wlan.isconnected():
        return
    _wlan.connect(wifi["ssid"], wifi["password"])
    start = time.ticks_ms()
    while not _wlan.isconnected():
        if time.ticks_diff(time.ticks_ms(), start) > timeout_ms:
            _wlan.disconnect()
            raise OSError(110)  # ETIMEDOUT: the app keeps sampling and tries again later
        await clock.sleep_ms(100)
    _wall_time_from_ntp()


def running():
    return True


def stopped():
    pass


def reset_cause():
    cause = machine.reset_cause()
    if cause == machine.DEEPSLEEP_RESET:
        return "deepsleep"
    return "watchdog" if cause == machine.WDT_RESET else "power"


# Over deep sleep only the RTC's slow memory survives; machine.RTC().memory() keeps our bytes there.


def rtc_memory():
    return machine.RTC().memory()


def save_rtc(data):
    machine.RTC().memory(data)


def watchdog(timeout_ms):
    # The hardware watchdog cannot be stopped once started; only the cycle's progress feeds it.
    return machine.WDT(timeout=timeout_ms)


def deepsleep(ms):
    machine.deepsleep(ms)


# The LoRa radio (board file `lora` entry, docs/radio.md). AXP192 datasheet rev. 1.1: REG 28H
# bits 7-4 set LDO2 to 1.8-3.3 V in 100 mV steps (9.11.15), REG 12H bit 2 switches LDO2 on
# (9.11.10); the T-Beam's radio hangs on LDO2.
_AXP192_LDO23_VOLTAGE = 0x28
_AXP192_OUTPUTS = 0x12
_AXP192_LDO2_ON = 0x04
_radio = None


def _axp192_ldo2_on(bus, addr):
    b = bytearray(1)
    bus.readfrom_mem_into(addr, _AXP192_LDO23_VOLTAGE, b)
    b[0] = 0xF0 | (b[0] & 0x0F)  # 3.3 V; LDO3 (the GPS) keeps its voltage
    bus.writeto_mem(addr, _AXP192_LDO23_VOLTAGE, b)
    bus.readfrom_mem_into(addr, _AXP192_OUTPUTS, b)
    b[0] |= _AXP192_LDO2_ON
    bus.writeto_mem(addr, _AXP192_OUTPUTS, b)


def radio():
    # The node.radio driver for the board's radio, made once; None if the board has none.
    global _radio
    lora = board().get("lora")
    if _radio is None and lora:
        from node.radio import make

        pmu = board().get("battery") or {}
        if pmu.get("pmu") == "axp192":
            _axp192_ldo2_on(i2c(pmu["bus"]), pmu["addr"])
        Pin = machine.Pin
        p = board()["spi"][lora["spi"]]
        spi = machine.SPI(p["id"], baudrate=8000000, polarity=0, phase=0, sck=Pin(p["sck"]), mosi=Pin(p["mosi"]),
                          miso=Pin(p["miso"]))
        # SX127x: NRESET is released to float (its datasheet 7.2.2); SX126x: driven high
        reset = Pin(lora["reset"], Pin.OPEN_DRAIN if lora["chip"].startswith("sx127") else Pin.OUT, value=1)
        pins = {name: Pin(lora[name], Pin.IN) for name in ("busy", "dio0", "dio1") if lora.get(name) is not None}
        _radio = make(lora, spi, Pin(lora["nss"], Pin.OUT, value=1), reset, **pins)
    return _radio
