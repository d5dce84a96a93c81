"""Finding the external programs the host drives."""

import shutil
import sys
from pathlib import Path

from reallabor.errors import EXIT_MISSING_TOOL, ReallaborError


def find_executable(name: str, missing_key: str) -> str:
    """A program on PATH or installed beside this Python (a venv's bin/ need not be on PATH);
    otherwise the error `missing_key`, which says how to install it."""
    beside_python = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(beside_python) if beside_python.exists() else None)
    if not found:
        raise ReallaborError(missing_key, EXIT_MISSING_TOOL)
    return found
