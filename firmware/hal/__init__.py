# The one place that looks at the platform: pick the hardware layer once at start-up.
import sys


def load():
    if sys.platform == "esp32":
        from hal import esp32 as board
    else:
        from hal import sim as board
    return board
