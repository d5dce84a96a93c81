# Console log, one line per event: "<uptime ms> <level> <text>". The host's replay and capture
# tools read these lines (docs/console-log.md), so keep the shape. Each line goes out in one write
# (print() writes the text and its newline apart).
from node import clock


def info(text):
    print("%d I %s\n" % (clock.uptime_ms(), text), end="")


def warn(text):
    print("%d W %s\n" % (clock.uptime_ms(), text), end="")


def error(text):
    print("%d E %s\n" % (clock.uptime_ms(), text), end="")
