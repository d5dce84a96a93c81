"""Reading the files users hand us (boards, site profiles, configs): a file that is too large, not
UTF-8, not JSON or nested without end becomes a Problem that names the file, never an exception."""

import json
from pathlib import Path

from reallabor.errors import Problem

MAX_BYTES = 1 << 20  # no board, site profile or config comes near this
MAX_DEPTH = 64  # nesting levels; none needs more than a few, and the checks that walk a file recurse


def read_json(path: Path):
    """A user's JSON file -> its value, or a Problem saying why there is none."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return Problem("file.not_found", str(path))
    except OSError as e:
        return Problem("file.unreadable", str(path), params={"error": e.strerror or e})
    if len(data) > MAX_BYTES:
        return Problem("file.too_large", str(path), params={"limit": MAX_BYTES})
    return parse_json(data, str(path))


def parse_json(data: bytes, where: str):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Problem("file.not_utf8", where)
    try:
        value = json.loads(text)
    except ValueError as e:
        return Problem("file.not_json", where, line=getattr(e, "lineno", None), params={"col": getattr(e, "colno", 0)})
    except RecursionError:
        return Problem("file.too_deep", where)
    return Problem("file.too_deep", where) if too_deep(value) else value


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """More than limit levels of lists and objects (a walk by levels: no recursion of its own)."""
    level = [value]
    for _ in range(limit + 1):
        level = [v for x in level if isinstance(x, (dict, list)) for v in (x.values() if isinstance(x, dict) else x)]
        if not level:
            return False
    return True
