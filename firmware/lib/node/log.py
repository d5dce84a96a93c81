# Console log, one line per event: "<uptime ms> <level> <text>". The host's replay and capture
# tools read these lines (docs/console-log.md), so keep the shape. text: str, or bytes on the hot
# paths (node/__init__.py). Each line is made as bytes and goes out in one write (print() writes
# the text and its newline apart).
import sys

from node import clock


def info(text):
    sys.stdout.write(b"%d I %s\n" % (clock.uptime_ms(), text))


def warn(text):
    sys.stdout.write(b"%d W %s\n" % (clock.uptime_ms(), text))


def error(text):
    sys.stdout.write(b"%d E %s\n" % (clock.uptime_ms(), text))
