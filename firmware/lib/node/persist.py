# Small values on flash that must survive a reboot. A write goes to a temporary file that is then
# renamed over the old one: LittleFS and POSIX renames are atomic, so a power cut leaves either
# the old or the new value, never a torn one.
import os

_tmp = {}  # path -> its temporary file's path, made once (each new string costs a look through the interned ones)


def load_ints(path, n):
    # -> n whole numbers saved by save_ints, or None if the file is missing or damaged
    try:
        with open(path) as f:
            values = [int(v) for v in f.read().split()]
    except (OSError, ValueError):
        return None
    return values if len(values) == n else None


def save_ints(path, values):
    # values: a tuple
    tmp = _tmp.get(path)
    if tmp is None:
        tmp = _tmp[path] = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"%d " * len(values) % values)  # bytes, for the same reason
    os.rename(tmp, path)
