# Run by unix-port MicroPython for the replay (host/reallabor/sim/replay.py), twice per firmware
# and trace: once as the simulator ("sim": hal.sim with hal.simtime, what it keeps of the trace, at
# most all of the trace's answers at once, its flash, hal.simfaults for a trace with fault events,
# the simulated radio chip of a LoRa node) and once as the ESP32's HAL would stand in its place
# ("esp32": hal.esp32 over stand-ins for machine and network). Both then import the same firmware
# modules, the ones the replayed node will load, and read the node's config.json as its boot does,
# so the difference is what the simulator takes of the heap, qstr pools included (they grow in
# doubling steps, so whoever's strings cross a step pays for it). The replay gives the firmware its
# budget plus that difference: the budget is what the firmware has, as on a board.
#   micropython -m main sim|esp32 <trace> [faults] [radio] <module>...  (linked in as main.py, beside
#   the node's board.json and config.json): prints the heap bytes
import gc
import sys

mode, trace_path = sys.argv[1], sys.argv[2]
modules = sys.argv[3:]
gc.collect()
start = gc.mem_alloc()
if mode == "sim":
    import hal

    board = hal.load()
    trace = board.Trace(trace_path)
    trace.advance(1 << 62)
    trace.sent.clear()  # bytes a UART sensor sent by itself: the firmware takes them as they come
    import hal.simflash  # noqa: F401
else:

    class _Standin:
        pass

    sys.modules["machine"] = sys.modules["network"] = _Standin()
    import hal.esp32  # noqa: F401
if "faults" in modules:
    modules.remove("faults")
    if mode == "sim":
        import hal.simfaults  # noqa: F401
if "radio" in modules:  # a LoRa node: the simulated chip and its air (board.json names the chip)
    modules.remove("radio")
    if mode == "sim":
        from hal import boardfile, simradio

        chip = simradio.chip(boardfile.load()["lora"], trace_path)
for name in modules:
    __import__(name)
# The boot's config read: the validator comes and goes, but the names it interns stay (MicroPython
# never frees a qstr), on a board too, so a qstr pool they open is the firmware's.
from node.app import read_config  # noqa: E402

if read_config() is None:
    sys.exit("the node's config.json did not pass the firmware's check")
gc.collect()
print(gc.mem_alloc() - start)
