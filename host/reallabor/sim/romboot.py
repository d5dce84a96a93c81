# Run by unix-port MicroPython as the entry point of a replay with the firmware's modules in a
# ROMFS image (host/reallabor/sim/replay.py, romfs=True). A board with a ROMFS partition
# (MicroPython 1.25 and later, in builds that enable it) has it mounted at /rom before main.py runs,
# and imports use the modules' bytecode where it lies, without copying it into the heap. Here the
# image is read into the heap first; the replay adds its size on top of the firmware's budget, as
# on a board it is flash. The image holds lib/'s contents, so /rom stands where lib/ stood.
import sys

import vfs

with open("rom.img", "rb") as f:
    vfs.mount(vfs.VfsRom(f.read()), "/rom")
sys.path.insert(0, "/rom")

import main  # noqa: F401  the board's main.py: it runs the app
