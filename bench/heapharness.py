# The firmware's heap the same way on any MicroPython: the unix port (64-bit, as the replay) and
# the WebAssembly port (32-bit, as an ESP32). bench/heap.py runs it in a directory with the compiled
# firmware's lib/ (or a ROMFS image of it, rom.img), a node's config.json and modules.txt (the
# firmware modules that node loads). It prints "modules <bytes>" (their code and objects, which
# nothing frees) and "heap <bytes>" after the boot.
#
# A board stands in for the HAL, with no sensor on its buses and no network (the WebAssembly port
# has no sockets): the node boots as on a board (the config validator in and out of RAM, drivers,
# channels, outbox, MQTT client), takes its sensors' first step and stores one state message.
# What a running node holds beyond this (a connection, a full window of samples) is in the
# replay's 64-bit figure only.
import gc
import sys

try:  # a ROMFS image instead of lib/: the modules' bytecode stays in it (the image is not counted)
    import vfs

    with open("rom.img", "rb") as f:
        vfs.mount(vfs.VfsRom(f.read()), "/rom")
    sys.path.insert(0, "/rom")
except (ImportError, AttributeError, OSError):
    pass  # no image, or a port without ROMFS: the modules come from lib/

gc.collect()
start = gc.mem_alloc()


class _Bus:
    def _absent(self, *args):
        raise OSError(19)  # no sensor answers: the node reports them absent

    readfrom_mem_into = writeto_mem = writeto = readfrom_into = write = readinto = any = _absent


class _Board:
    def device_id(self):
        return "rl-000001"

    def mac(self):
        return b"\x02\x00\x00\x00\x00\x01"

    def reset_cause(self):
        return "power"

    def i2c(self, name, overrides=None):
        return _Bus()

    def uart(self, name, baudrate):
        return _Bus()

    def battery_mv(self):
        return None

    def rssi_dbm(self):
        return None

    def radio(self):
        return None

    def rtc_memory(self):
        return b""

    def save_rtc(self, data):
        pass

    async def connect_tcp(self, host, port, ca=None, timeout_ms=10000):
        raise OSError(113)


for name in open("modules.txt").read().split():
    __import__(name)
gc.collect()
print("modules", gc.mem_alloc() - start)

from node import app, clock  # noqa: E402

cfg = app.read_config()
node = app.Node(_Board(), cfg)
now = clock.ticks()
for c in node.channels:
    c.step(now)
node.publish_state(now)
gc.collect()
print("heap", gc.mem_alloc() - start)
