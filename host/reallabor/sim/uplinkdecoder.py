"""The uplink decoder as a network server runs it: decoders/reallabor.js alone in a fresh JavaScript
context (no require, no module) under node, `decodeUplink({bytes, fPort})` per uplink. One node
process serves a whole replay: one JSON line in, one out."""

import json
import subprocess
import threading

from reallabor.env import DECODERS, find_program

_RUNNER = r"""
var fs = require("fs"), vm = require("vm"), readline = require("readline");
var context = vm.createContext({});
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), context, {filename: process.argv[1]});
readline.createInterface({input: process.stdin}).on("line", function (line) {
  var out;
  try {
    context.input = JSON.parse(line);
    out = vm.runInContext("decodeUplink(input)", context);
  } catch (e) {
    out = {errors: [String(e && e.message ? e.message : e)]};
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
"""


class Decoder:
    def __init__(self, path=DECODERS / "reallabor.js"):
        self._proc = subprocess.Popen([find_program("node"), "-e", _RUNNER, str(path)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self._lock = threading.Lock()

    def decode(self, fport: int, payload: bytes) -> dict:
        """-> {"data": ..., "warnings": [...], "errors": [...]} as decodeUplink returns it"""
        with self._lock:
            self._proc.stdin.write(json.dumps({"fPort": fport, "bytes": list(payload)}) + "\n")
            self._proc.stdin.flush()
            return json.loads(self._proc.stdout.readline() or '{"errors": ["decoder stopped"]}')

    def close(self) -> None:
        self._proc.stdin.close()
        self._proc.wait(5)
        self._proc.stdout.close()
