"""Collect firmware tests: each test_*.py here runs under unix-port MicroPython, one pytest item per
test function, with the MicroPython traceback as the failure report."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
RUNNER = HERE / "runner.py"
HEAP = "2M"  # tests are not the RAM budget; the replay benchmarks measure that
_TEST_FUNC = re.compile(r"^(?:async\s+)?def\s+(test_\w+)\s*\(", re.MULTILINE)


def micropython() -> str:
    from reallabor.sim.replay import find_micropython

    return find_micropython()


def pytest_pycollect_makemodule(module_path, parent):
    if module_path.parent == HERE and module_path.name.startswith("test_"):
        return MicroPythonFile.from_parent(parent, path=module_path)
    return None


class MicroPythonFile(pytest.File):
    def collect(self):
        for name in _TEST_FUNC.findall(self.path.read_text()):
            yield MicroPythonItem.from_parent(self, name=name)


class MicroPythonFailure(Exception):
    pass


class MicroPythonItem(pytest.Item):
    def runtest(self):
        path = ":".join((".frozen", str(ROOT / "firmware"), str(ROOT / "firmware" / "lib"), str(HERE)))
        with tempfile.TemporaryDirectory(prefix="rl-flash-") as flash:  # the test's "flash"
            done = subprocess.run(
                [micropython(), "-X", f"heapsize={HEAP}", str(RUNNER), self.path.stem, self.name],
                capture_output=True, text=True, timeout=120, env={"MICROPYPATH": path, "PATH": "/usr/bin:/bin"},
                cwd=flash,
            )
        if done.returncode != 0 or "PASS" not in done.stdout.splitlines()[-1:]:
            raise MicroPythonFailure(done.stdout + done.stderr)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, MicroPythonFailure):
            return f"MicroPython test failed:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name} (micropython)"
