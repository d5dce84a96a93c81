"""deploy, provision and verify must work where the unix-port MicroPython cannot be installed
(Windows): none of them may import the simulator, the virtual board or the replay machinery."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("micropython_unix", "reallabor.sim", "reallabor.traces.synthetic")

# Make the forbidden modules unimportable and running any micropython binary an error, then run.
_GUARD = textwrap.dedent("""
    import subprocess, sys
    for name in {forbidden!r}:
        sys.modules[name] = None  # import raises ImportError
    _popen = subprocess.Popen.__init__
    def _guard(self, args, *a, **kw):
        first = args[0] if isinstance(args, (list, tuple)) else args
        if "micropython" in str(first).rsplit("/", 1)[-1]:
            raise AssertionError("tried to run the simulator: %r" % (args,))
        _popen(self, args, *a, **kw)
    subprocess.Popen.__init__ = _guard
""").format(forbidden=FORBIDDEN)


def test_technician_modules_do_not_import_the_simulator():
    code = _GUARD + textwrap.dedent("""
        import reallabor.cli.main, reallabor.boardio.deploy, reallabor.boardio.provision, reallabor.boardio.verify
        import reallabor.fleet.exports, reallabor.boardio.ports, reallabor.boards, reallabor.flashing.flash
        bad = [m for m in sys.modules if sys.modules[m] is not None and m.startswith({forbidden!r})]
        print("loaded:", bad)
    """).format(forbidden=FORBIDDEN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "host")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded: []"


def test_deploy_provision_verify_run_with_the_simulator_blocked(virtual_board, data_dir, site_profile, broker):
    """The virtual board runs in this test process; the CLI process cannot use the simulator."""
    vb = virtual_board()
    site_profile(data_dir, sensors=[], broker=broker.url)
    for args in (("deploy", "--port", vb.port, "--board", "esp32-devkitc", "--dry-run"),
                 ("deploy", "--port", vb.port, "--board", "esp32-devkitc"),
                 ("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof"),
                 ("verify", "--port", vb.port)):
        code = _GUARD + f"from reallabor.cli.main import main\nsys.exit(main({list(args) + ['--lang', 'en']!r}))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "host"), "REALLABOR_DATA": str(data_dir)})
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "ready" in done.stdout
