# Stand-ins for machine and network, which cannot exist on the unix port: they record what the
# ESP32 HAL asks of them and behave as the ESP32 port does. Importing this module installs them.
import sys

from support import MemoryI2C

CALLS = []
I2C_DEVICES = {}  # address -> device (support.RegisterDevice) on every hardware I2C bus


class Pin:
    IN, OUT, OPEN_DRAIN = 1, 2, 7

    def __init__(self, n, mode=None, value=None):
        self.n = n
        if mode is not None:
            CALLS.append(("pin", n, mode, value))


class I2C(MemoryI2C):
    def __init__(self, bus_id, scl, sda, freq, timeout):
        super().__init__(I2C_DEVICES)
        CALLS.append(("i2c", bus_id, scl.n, sda.n, freq, timeout))


class ADC:
    ATTN_11DB = 3
    uv = 806000  # what the pin reads, in µV

    def __init__(self, pin, atten=None):
        CALLS.append(("adc", pin.n, atten))

    def read_uv(self):
        return ADC.uv


class SPI:
    def __init__(self, bus_id, baudrate, polarity, phase, sck, mosi, miso):
        CALLS.append(("spi", bus_id, baudrate, polarity, phase, sck.n, mosi.n, miso.n))


class SoftI2C:
    def __init__(self, scl, sda, freq, timeout):
        CALLS.append(("softi2c", scl.n, sda.n, freq, timeout))


class UART:
    def __init__(self, bus_id, baudrate, tx, rx, timeout):
        CALLS.append(("uart", bus_id, baudrate, tx, rx, timeout))


class _Machine:
    Pin = Pin
    I2C = I2C
    SoftI2C = SoftI2C
    SPI = SPI
    ADC = ADC
    UART = UART
    PWRON_RESET, WDT_RESET, DEEPSLEEP_RESET = 1, 3, 4  # the esp32 port's values
    cause = 1

    @staticmethod
    def unique_id():
        return b"\x24\x6f\x28\xa1\xb2\xc3"

    @staticmethod
    def reset_cause():
        return _Machine.cause


class WLAN:
    # network.WLAN as the ESP32 port 1.25 behaves: after connect() the station (re)joins by itself
    # for ever, status() says STAT_CONNECTING meanwhile, and a second connect() then is refused.
    def __init__(self, interface):
        self.state = _Network.STAT_IDLE
        self.connects = 0
        self.joined_after = None  # status() calls until the join succeeds

    def active(self, on):
        pass

    def isconnected(self):
        return self.status() == _Network.STAT_GOT_IP

    def status(self):
        if self.state == _Network.STAT_CONNECTING and self.joined_after is not None:
            self.joined_after -= 1
            if self.joined_after <= 0:
                self.state = _Network.STAT_GOT_IP
        return self.state

    def connect(self, ssid, password):
        if self.state == _Network.STAT_CONNECTING:
            raise OSError("Wifi Internal Error")
        self.connects += 1
        self.state = _Network.STAT_CONNECTING

    def disconnect(self):
        self.state = _Network.STAT_IDLE

    def lose_access_point(self):
        self.state = _Network.STAT_CONNECTING  # the port retries by itself


class _Network:
    STA_IF = 0
    STAT_IDLE, STAT_CONNECTING, STAT_WRONG_PASSWORD, STAT_NO_AP_FOUND, STAT_GOT_IP = 1000, 1001, 202, 201, 1010
    WLAN = WLAN


sys.modules["machine"] = _Machine
sys.modules["network"] = _Network
