# Sensor registry: config type -> (module, class). Drivers are imported only when a config uses
# them, so a board carries only the bytecode it needs in RAM.
DRIVERS = {
    "bme280": ("node.sensors.bme280", "BME280"),
    "bmp280": ("node.sensors.bme280", "BME280"),
}

# Health of a sensor as published in every state message (docs/payload.md).
OK = "ok"
ABSENT = "absent"  # no acknowledge on the bus: not connected, wrong address, no power
BUS_ERROR = "bus_error"  # it answered once but a transfer failed
WRONG_CHIP = "wrong_chip"  # something answers at the address, but not the configured chip
TIMEOUT = "timeout"  # a measurement did not finish in time

_ENODEV = 19  # machine.I2C raises OSError(ENODEV) when no device acknowledges its address


class SensorError(Exception):
    # A sensor-specific failure; health is one of the names above, text says what was found.
    def __init__(self, health, text):
        super().__init__(text)
        self.health = health


def health_of(exc):
    if isinstance(exc, SensorError):
        return exc.health
    if isinstance(exc, OSError) and exc.args and exc.args[0] == _ENODEV:
        return ABSENT
    return BUS_ERROR


def make(cfg, bus):
    module, cls = DRIVERS[cfg["type"]]
    return getattr(__import__(module, None, None, (cls,)), cls)(bus, cfg)
