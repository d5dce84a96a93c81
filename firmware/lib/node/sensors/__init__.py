# Sensor registry and the contract every driver keeps. Drivers are imported only when a config uses
# them, so a board carries only the bytecode it needs in RAM.
#
# A driver is a non-blocking core: the app (node.pipeline) decides when and how long to wait.
#   name            from the config
#   quantities      ((name, unit, decimals, lo, hi), ...): values are integers in units of
#                   10**-decimals; lo..hi is the plausible range (datasheet measuring range)
#   values          list of ints, one per quantity, valid after poll() returned DONE
#   lead_ms         start() this long before the sample is due (slow or warming-up sensors)
#   timeout_ms      keep polling this long past the due time before giving up
#   late            health to report when polling gave up: TIMEOUT or STALE (UART sensors:
#                   ABSENT if never heard, CHECKSUM if only noise came, else STALE)
#   ready           True once init() has finished all its steps
#   init() -> ms    one step of identifying/configuring the chip; wait ms before the next call
#   start() -> ms   begin a measurement; wait ms before the first poll()
#   poll() -> ms    DONE when values hold a new reading, else wait ms before polling again
#   reset()         forget the chip after a failure; the next sample starts with init()
#   stop()          optional: rest (fan and laser off) until the next start(); idempotent
#   sleep()         optional: before a deep sleep, also what stop() leaves running (a periodic
#                   measurement); the next boot's init() starts it again
#
# Each config type (node.config.SENSOR_TYPES) has a module of its name holding a class of its name in
# capitals, except for these that share one:
from micropython import const
SHARED = {"bmp280": "bme280", "sht4x": "sht", "sht3x": "sht"}

DONE = -1  # poll(): the reading is in values

# Health of a sensor as published in every state message (docs/payload.md).
OK = "ok"
WARMING_UP = "warming_up"  # started, no valid reading yet
ABSENT = "absent"  # no acknowledge on the bus / never a byte on the UART: not connected, no power
BUS_ERROR = "bus_error"  # it answered once but a transfer failed
WRONG_CHIP = "wrong_chip"  # something answers at the address, but not the configured chip
TIMEOUT = "timeout"  # a measurement did not finish in time
CHECKSUM = "checksum_error"  # data arrived damaged: CRC or frame checksum wrong, or no valid frame
STALE = "stale"  # the sensor answers but delivers no new data
STUCK = "stuck"  # the same values for too many samples in a row
OUT_OF_RANGE = "out_of_range"  # a value outside what the sensor can measure

_ENODEV = const(19)  # machine.I2C raises OSError(ENODEV) when no device acknowledges its address


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


def make(cfg, board, i2c_settings):
    # The driver for one sensor entry of the config, on its bus; i2c_settings: the config's bus
    # settings over the board file's ({"i2c0": {"freq": ...}}).
    name = SHARED.get(cfg["type"], cfg["type"])
    cls = getattr(__import__("node.sensors." + name, None, None, (name,)), name.upper())
    bus = cfg["bus"]
    return cls(board.uart(bus, cls.BAUD) if bus.startswith("uart") else board.i2c(bus, i2c_settings.get(bus)), cfg)
