// Runs an uplink decoder (default decoders/reallabor.js) the way a network server does: the file's
// source alone in a fresh JavaScript context (no require, no module), then decodeUplink(input).
// One input per line on stdin ({"fPort": n, "bytes": [..]}), one result per line on stdout.
// With --check-es5 it only parses the file as ECMAScript 5 (npm acorn) and prints {"es5": true}.
"use strict";

var fs = require("fs");
var path = require("path");
var readline = require("readline");
var vm = require("vm");

var args = process.argv.slice(2);
var checkOnly = args[0] === "--check-es5";
if (checkOnly) args.shift();
var file = args[0] || path.join(__dirname, "..", "..", "decoders", "reallabor.js");
var source = fs.readFileSync(file, "utf8");

if (checkOnly) {
  try {
    require("acorn").parse(source, { ecmaVersion: 5 });
    process.stdout.write(JSON.stringify({ es5: true }) + "\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ es5: false, error: e.message }) + "\n");
  }
  process.exit(0);
}

var context = vm.createContext({});
vm.runInContext(source, context, { filename: file });

readline.createInterface({ input: process.stdin }).on("line", function (line) {
  if (!line.trim()) return;
  var input = JSON.parse(line);
  context.input = input;
  var result = vm.runInContext("decodeUplink(input)", context);
  process.stdout.write(JSON.stringify(result) + "\n");
});
