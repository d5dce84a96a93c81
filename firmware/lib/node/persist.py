# Small values on flash that must survive a reboot. A write goes to a temporary file that is then
# renamed over the old one: LittleFS and POSIX renames are atomic, so a power cut leaves either
# the old or the new value, never a torn one.
import os

# path -> (its temporary file's path, itself), made once and as bytes: the filesystem copies every
# path it is given, and a bytes copy is cheaper than a str one (node/__init__.py)
_paths = {}


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
    paths = _paths.get(path)
    if paths is None:
        paths = _paths[path] = ((path + ".tmp").encode(), path.encode())
    with open(paths[0], "wb") as f:
        f.write(b"%d " * len(values) % values)  # bytes, for the same reason
    os.rename(*paths)
