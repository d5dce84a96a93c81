// Runs a MicroPython script in the WebAssembly port (a 32-bit build) under node:
//   node bench/wasm/run.mjs <dir> <script.py> [heap bytes]
// The directory is copied into the port's in-memory filesystem at /app, which becomes the working
// directory with /app and /app/lib on sys.path, as the flash is on a board. A line "# --- ..."
// ends a step: each step is a call of its own, sharing the script's globals. This port's collector
// frees what nothing reaches only in a call that has just begun: inside a running call it kept
// 39 KB of garbage in the courtyard node's boot (85 KB where a new call counts 46 KB).
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";

const [dir, script, heap] = process.argv.slice(2);
const mp = await loadMicroPython({
  heapsize: heap ? Number(heap) : 4 * 1024 * 1024,
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});

function copy(from, to) {
  mp.FS.mkdirTree(to);
  for (const name of fs.readdirSync(from)) {
    const source = path.join(from, name);  // links followed: the firmware is linked in
    if (fs.statSync(source).isDirectory()) copy(source, `${to}/${name}`);
    else mp.FS.writeFile(`${to}/${name}`, fs.readFileSync(source));
  }
}

copy(fs.realpathSync(dir), "/app");
mp.runPython("import os, sys\nos.chdir('/app')\nsys.path[:0] = ['/app', '/app/lib']");
try {
  for (const step of fs.readFileSync(path.join(dir, script), "utf8").split(/^# --- .*$/m)) {
    await mp.runPythonAsync(step);
  }
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
}
