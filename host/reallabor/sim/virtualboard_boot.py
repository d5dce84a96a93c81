# Start-up of a virtual board (host/reallabor/virtualboard.py). Unix-port MicroPython runs this
# file, not CPython. As on a board, the flash becomes the filesystem root, so absolute paths such
# as /lib/node/app.mpy stay inside the flash directory; a trace for the simulated buses is mounted
# read-only at /.sim. Then main.py runs on a normal boot; the REPL follows (micropython -i).
import os
import sys


def _mount():
    sim = os.getenv("RL_SIM_DIR")
    sim = os.VfsPosix(sim) if sim else None
    os.umount("/")
    os.mount(os.VfsPosix(os.getenv("RL_FLASH")), "/")
    if sim:
        os.mount(sim, "/.sim", readonly=True)
    os.chdir("/")
    sys.path[0] = ""  # was this file's directory; a board looks in the current one


_mark = open("/dev/fd/" + os.getenv("RL_MARK_FD"), "wb")  # opened while /dev is still the host's


class _Bridge:
    # What the firmware tells the bridge: the watchdog's timeouts (hal/sim.py), for the watchdog
    # runs there, in real time, and so goes on across a soft reset as the chip's does.
    watchdog = open("/dev/fd/" + os.getenv("RL_WDT_FD"), "wb")


sys.modules["virtualboard"] = _Bridge
_mount()
if os.getenv("RL_RUN_MAIN") == "1":  # the bridge saw a main.py when it started this boot
    _mark.write(b"main")  # from here on a Ctrl-C may interrupt: the flash is in place
    _mark.close()
    del _mount, _mark
    exec(compile(open("main.py").read(), "main.py", "exec"))
else:
    _mark.close()
    del _mount, _mark
