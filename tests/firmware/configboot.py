# The device's side of tests/host/test_fuzz_configs.py, run under the firmware's heap budget:
#   micropython -X heapsize=128K configboot.py DIR N
# For each DIR/<i>.json (0 <= i < N) it makes that file config.json and reads it as the app does at boot
# (node.app.read_config: import the validator, load, drop it), then prints one JSON line:
#   {"ok": <config>}  {"safe": "<the app's log line>"}  {"crash": "<exception>"}
import gc
import json
import os
import sys

from node import app, log

_said = []
log.error = _said.append  # the safe-mode line, instead of the console


def boot(path):
    os.rename(path, "config.json")  # not through RAM: a file may be larger than the heap
    del _said[:]
    gc.collect()
    try:
        cfg = app.read_config()
    except Exception as e:  # what the app would not survive
        return {"crash": "%s: %s" % (type(e).__name__, e)}
    return {"ok": cfg} if cfg is not None else {"safe": _said[0]}


def main():
    folder, count = sys.argv[1], int(sys.argv[2])
    for i in range(count):
        print(json.dumps(boot("%s/%d.json" % (folder, i))))


main()
