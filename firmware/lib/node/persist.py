# Small values on flash that must survive a reboot, each a line of whole numbers. save_ints writes
# a temporary file that is then renamed over the old one: LittleFS and POSIX renames are atomic, so
# a power cut leaves either the old or the new value, never a torn one. A value saved very often
# (the outbox head, at every acknowledgement) is appended to a log instead (append_ints): an append
# costs less than a new file and a rename, and a power cut can only tear the line being appended,
# which load_ints passes over.
import os

# path -> (its temporary file's path, itself), made once and as bytes: the filesystem copies every
# path it is given, and a bytes copy is cheaper than a str one (node/__init__.py)
_paths = {}


def _names(path):
    paths = _paths.get(path)
    if paths is None:
        paths = _paths[path] = ((path + ".tmp").encode(), path.encode())
    return paths


def load_ints(path, n):
    # -> the n whole numbers of the last whole line (save_ints, then append_ints), or None if no
    # line holds n of them. A line is whole once its newline is there, which a torn append's lacks;
    # a file without any newline is one value, as an older firmware saved it.
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except OSError:
        return None
    for line in reversed(lines[:-1] or lines):
        try:
            values = [int(v) for v in line.split()]
        except ValueError:
            continue
        if len(values) == n:
            return values
    return None


def save_ints(path, values):
    # values: a tuple -> the bytes the file now holds
    tmp, name = _names(path)
    with open(tmp, "wb") as f:
        n = f.write(b"%d " * len(values) % values + b"\n")  # bytes, for the same reason
    os.rename(tmp, name)
    return n


def append_ints(path, values):
    # One line of values (a tuple) at the end of the log at path -> the bytes appended
    with open(_names(path)[1], "ab") as f:
        return f.write(b"%d " * len(values) % values + b"\n")
