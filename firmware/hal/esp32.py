# The ESP32 family (ESP32, S3, C3): the board contract of hal/__init__.py. Pins come from
# /board.json, the board file that deploy and provision copy from the host's boards/ (docs/boards.md),
# so one firmware serves every board. Only this file (and hal/tcp.py) touches machine and network.
from micropython import const
import machine
import network
import time

import socket

from hal import boardfile, tcp
from node import clock, ident, log

_UNIX_2000 = const(946684800)  # seconds from 1970 to 2000: ports that count from 2000 need this
_ENODEV = const(19)
_EINPROGRESS = const(115)
_ETIMEDOUT = const(110)
_VEXT_SETTLE_MS = const(50)  # the switched supply's own rise, before the sensors' power-up times count

_buses = {}
_wlan = None


class _NoBus:
    # A bus the board file does not define: every sensor on it reports "absent", as on a real bus
    # where nobody acknowledges, and the cycle goes on.
    def _absent(self, *args):
        raise OSError(_ENODEV)

    readfrom_mem_into = writeto_mem = writeto = readfrom_into = write = read = readinto = any = _absent


def board():
    return boardfile.load()


def _switch(sw, on):
    machine.Pin(sw["pin"], machine.Pin.OUT, value=int(on != sw["active_low"]))


def setup():
    # -> how long the sensors' supply has been on: switched on now (Heltec "Ve" pins, off during
    # deep sleep), or on since power-up, or all through the deep sleep before.
    _wall_time_from_rtc()
    vext = board().get("vext")
    if vext:
        _switch(vext, True)
        time.sleep_ms(vext.get("settle_ms", _VEXT_SETTLE_MS))
        return 0
    return 3600000 if machine.reset_cause() == machine.DEEPSLEEP_RESET else time.ticks_ms()


def _epoch_offset():
    return _UNIX_2000 if time.gmtime(0)[0] == 2000 else 0


def _wall_time_from_rtc():
    # The RTC keeps wall time across deep sleep and soft resets; before 2024 it was never set.
    now = time.time() + _epoch_offset()
    if now > 1704067200:
        clock.set_epoch_ms(now * 1000)


def sync_time(server):
    # One NTP query (blocking, at most 1 s): True once the RTC and wall time are set.
    try:
        import ntptime

        ntptime.host = server
        ntptime.settime()
    except (OSError, OverflowError, IndexError) as e:
        log.warn("ntp: %r" % e)
        return False
    clock.set_epoch_ms((time.time() + _epoch_offset()) * 1000)
    return True


def battery_mv():
    # The battery's voltage: through the board's divider on an ADC1 pin, or from its AXP192 power
    # chip (battery voltage ADC, REG 78H bits 11-4 and 79H bits 3-0, 1.1 mV per step); None without.
    bat = board().get("battery")
    if not bat:
        return None
    try:
        if "pmu" in bat:
            buf = bytearray(2)
            i2c(bat["bus"]).readfrom_mem_into(bat["addr"], 0x78, buf)
            return ((buf[0] << 4) | (buf[1] & 0x0F)) * 11 // 10
        enable = bat.get("enable")
        if enable:
            _switch(enable, True)  # the divider draws current only while it is read
        adc = machine.ADC(machine.Pin(bat["adc"]), atten=machine.ADC.ATTN_11DB)
        mv = int(adc.read_uv() * bat["multiplier"] / 1000)
        if enable:
            _switch(enable, False)
        return mv
    except (OSError, ValueError):
        return None


def rssi_dbm():
    return _wlan.status("rssi") if _wlan is not None and _wlan.isconnected() else None


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


def i2c(name, overrides=None):
    # Hardware I2C, or a software bus ("soft": true) for a sensor that stretches the clock longer
    # than the controller waits (the ESP32's is 13.1 ms at most; docs/boards.md).
    bus = _buses.get(name)
    if bus is None:
        settings = boardfile.i2c_settings(name, overrides)
        if settings is None:
            bus = _NoBus()
        else:
            pins, freq, timeout_us, soft = settings
            scl, sda = machine.Pin(pins["scl"]), machine.Pin(pins["sda"])
            bus = (machine.SoftI2C(scl=scl, sda=sda, freq=freq, timeout=timeout_us) if soft else
                   machine.I2C(pins["id"], scl=scl, sda=sda, freq=freq, timeout=timeout_us))
            bus = _recorded("i2c", name, bus, freq)
        _buses[name] = bus
    return bus


def uart(name, baudrate):
    # timeout=0: drivers poll any()/read() and never block the cycle
    return _bus("uart", name, lambda p: _recorded("uart", name, machine.UART(p["id"], baudrate=baudrate, tx=p["tx"],
                                                                           rx=p["rx"], timeout=0), baudrate))


async def connect_network(wifi, timeout_ms):
    # Join without blocking the sampling cycle. One strategy: connect() once; after that the
    # station rejoins by itself when the access point goes (MicroPython retries for ever), and a
    # second connect() while it does is refused ("Wifi Internal Error", 1.25 on C3/S3). So: while
    # it (re)joins, OSError(EINPROGRESS) says "not yet" (no failure); only a station that gave up
    # (wrong password, no such network) or one still not joined after timeout_ms is made to start
    # over, with disconnect() first.
    global _wlan
    if wifi is None or not wifi["ssid"]:
        raise OSError(_ENODEV)  # no Wi-Fi configured: nothing to send over
    if _wlan is None:
        _wlan = network.WLAN(network.STA_IF)
        _wlan.active(True)
    status = _wlan.status()
    if status == network.STAT_GOT_IP:
        return
    if status != network.STAT_CONNECTING:
        _wlan.disconnect()  # never started, or a station that gave up: start over
        _wlan.connect(wifi["ssid"], wifi["password"])
    start = time.ticks_ms()
    while True:
        status = _wlan.status()
        if status == network.STAT_GOT_IP:
            return
        if status != network.STAT_CONNECTING:
            raise OSError(_ETIMEDOUT)  # refused (password, no network): the next attempt starts over
        if time.ticks_diff(time.ticks_ms(), start) > timeout_ms:
            raise OSError(_EINPROGRESS)  # still joining by itself: look again later
        await clock.sleep_ms(100)


async def connect_tcp(host, port, ca=None, timeout_ms=10000):
    # TCP_NODELAY exists from MicroPython 1.23 on; 1.22 would print a warning line (outside the
    # console-log format) on every connect for the option number alone.
    return await tcp.connect_tcp(host, port, ca, timeout_ms, getattr(socket, "TCP_NODELAY", None))


def running():
    return True


def stopped():
    if _rec:
        _rec.flush()


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
    if _rec:
        _rec.flush()  # what capture noted: RAM does not survive the sleep
    machine.deepsleep(ms)


# The LoRa radio (board file `lora` entry, docs/radio.md). AXP192 datasheet rev. 1.1: REG 28H
# bits 7-4 set LDO2 to 1.8-3.3 V in 100 mV steps (9.11.15), REG 12H bit 2 switches LDO2 on
# (9.11.10); the T-Beam's radio hangs on LDO2.
_AXP192_LDO23_VOLTAGE = const(0x28)
_AXP192_OUTPUTS = const(0x12)
_AXP192_LDO2_ON = const(0x04)
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


_rec = None  # hal.record while capture is on (imported only then)


def capture(settings):
    # From now on every bus this board hands out is recorded (hal/record.py); settings: the
    # config's capture section.
    global _rec
    from hal import record

    record.start(settings, time.ticks_us)
    _rec = record


def _recorded(kind, name, bus, hz):
    if _rec is None:
        return bus
    return _rec.i2c(name, bus, hz) if kind == "i2c" else _rec.uart(name, bus, hz)
