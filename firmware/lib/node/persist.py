# Small values on flash that must survive a reboot. A write goes to a temporary file that is then
# renamed over the old one: LittleFS and POSIX renames are atomic, so a power cut leaves either
# the old or the new value, never a torn one.
import os


def load_ints(path, n):
    # -> n whole numbers saved by save_ints, or None if the file is missing or damaged
    try:
        with open(path) as f:
            values = [int(v) for v in f.read().split()]
    except (OSError, ValueError):
        return None
    return values if len(values) == n else None


def save_ints(path, values):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b" ".join(b"%d" % v for v in values))  # bytes: a new string costs a look through the interned ones
    os.rename(tmp, path)
