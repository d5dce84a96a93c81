# The firmware's heap the same way on any MicroPython: the unix port (64-bit, as the replay) and
# the WebAssembly port (32-bit, as an ESP32). bench/heap.py runs it as the main.py of a replay's
# flash (the compiled firmware's lib/, or a ROMFS image of it that sim/romboot.py mounts first),
# with a node's config.json and modules.txt (the firmware modules that node loads). It prints
# "modules <bytes>" (their code and objects, which nothing frees) and "heap <bytes>" after the boot.
#
# A board stands in for the HAL, with no sensor on its buses and no network (the WebAssembly port
# has no sockets): the node boots as on a board (the config validator in and out of RAM, drivers,
# channels, outbox, MQTT client), takes its sensors' first step and stores one state message.
# What a running node holds beyond this (a connection, a full window of samples) is in the
# replay's 64-bit figure only.
import gc

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
# --- each figure at the start of a step (bench/wasm/run.mjs: a new call on the WebAssembly port)
gc.collect()
print("modules", gc.mem_alloc() - start)

from node import app, clock  # noqa: E402

cfg = app.read_config()
node = app.Node(_Board(), cfg)
now = clock.ticks()
for c in node.channels:
    c.step(now)
node.publish_state(now)
# --- the figure after boot
gc.collect()
print("heap", gc.mem_alloc() - start)
