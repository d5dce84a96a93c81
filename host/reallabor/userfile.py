"""Reading the files users hand us (boards, site profiles, configs): a file that is too large, not
UTF-8, not JSON or nested without end becomes a Problem that names the file, never an exception."""

import json
from pathlib import Path

from reallabor.errors import Problem

MAX_BYTES = 1 << 20  # no board, site profile or config comes near this


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
        return json.loads(text)
    except ValueError as e:
        return Problem("file.not_json", where, line=getattr(e, "lineno", None), params={"col": getattr(e, "colno", 0)})
    except RecursionError:
        return Problem("file.too_deep", where)
