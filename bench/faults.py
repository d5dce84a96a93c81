"""`make faults`: the fault scenarios with our transport and, side by side, umqtt.simple
(micropython-lib's MQTT client) the way typical firmware uses it (bench/baseline/)."""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

from reallabor.env import cache_dir
from reallabor.errors import EXIT_FAILED, EXIT_MISSING_TOOL, ReallaborError
from reallabor.sim import scenarios

BASELINE_DIR = Path(__file__).parent / "baseline"

# umqtt.simple 1.3.4 from PyPI. Its sdist has no setup.py, so pip cannot install it; the file is
# fetched from PyPI's file host by its pinned digest and only its umqtt/simple.py is used.
UMQTT_URL = ("https://files.pythonhosted.org/packages/bd/cf/697e3418b2f44222b3e848078b1e33ee76aedca9b6c2430ca1b1aec1ce1d/"
             "micropython-umqtt.simple-1.3.4.tar.gz")
UMQTT_SHA256 = "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f"


def umqtt_simple() -> Path:
    """A directory holding umqtt/simple.py for the simulator's module path (cached)."""
    dest = cache_dir("umqtt-simple-1.3.4")
    target = dest / "umqtt" / "simple.py"
    if target.exists():
        return dest
    try:
        with urllib.request.urlopen(UMQTT_URL, timeout=30) as response:
            data = response.read()
    except OSError as e:
        raise ReallaborError("faults.umqtt_download", EXIT_MISSING_TOOL, error=e)
    if hashlib.sha256(data).hexdigest() != UMQTT_SHA256:
        raise ReallaborError("faults.umqtt_digest", EXIT_FAILED)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("umqtt/simple.py"))
        source = tar.extractfile(member).read()
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.parent / "__init__.py").write_text("")
    target.write_bytes(source)
    return dest



def umqtt_transport() -> scenarios.Transport:
    return scenarios.Transport("umqtt.simple", BASELINE_DIR / "main_umqtt.py", (umqtt_simple(), BASELINE_DIR))


def main() -> int:
    quick = "--quick" in sys.argv
    try:
        table = scenarios.print_table(scenarios.standard_scenarios(quick), [scenarios.OURS, umqtt_transport()])
    except ReallaborError as e:
        print(f"faults: {e.message()}", file=sys.stderr)
        return e.exit_code
    ours = table["reallabor"]["total"]
    return 1 if ours.lost or ours.duplicates or ours.crashed else 0


if __name__ == "__main__":
    sys.exit(main())
