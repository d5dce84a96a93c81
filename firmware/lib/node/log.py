# Console log, one line per event: "<uptime ms> <level> <text>". The host's replay and capture
# tools read these lines (docs/console-log.md), so keep the shape.
from node import clock


def info(text):
    print("%d I %s" % (clock.uptime_ms(), text))


def warn(text):
    print("%d W %s" % (clock.uptime_ms(), text))


def error(text):
    print("%d E %s" % (clock.uptime_ms(), text))
