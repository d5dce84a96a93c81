# Small values on flash that must survive a reboot. A write goes to a temporary file that is then
# renamed over the old one: LittleFS and POSIX renames are atomic, so a power cut leaves either
# the old or the new value, never a torn one.
import os


def load_int(path, default):
    try:
        with open(path) as f:
            return int(f.read())
    except (OSError, ValueError):
        return default


def save_int(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(value))
    os.rename(tmp, path)
