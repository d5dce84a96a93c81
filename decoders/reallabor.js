// reallabor uplink decoder for The Things Stack and ChirpStack v4: decodeUplink(input) with
// input.bytes (array of numbers) and input.fPort -> {data, warnings, errors}. Plain ES5, no modules.
// The layouts are in docs/lorawan.md; the firmware encoders are firmware/lib/node/codec/compact.py
// (FPort 1) and cayenne.py (FPort 20); tests/vectors/compact-payload.json holds the shared examples.
//
// data mirrors the MQTT state message (docs/payload.md) as far as the payload carries it:
//   {v: 1, seq: <seq mod 256>, readings: {<quantity>: {value, unit}}, health: [<health>, ...]}
// readings are keyed by quantity (one value each, from the first configured sensor that has it) and
// health is a list in config order, as the payload carries no sensor names.

var FIELDS = [
  // quantity, unit, decimals of lo and step, lo, step, bits, highest code (compact.FIELDS)
  ["temperature", "\u00b0C", 2, -4000, 10, 11, 2047],
  ["humidity", "%RH", 2, 0, 50, 8, 200],
  ["pressure", "hPa", 2, 30000, 10, 13, 8191],
  ["co2", "ppm", 0, 0, 1, 16, 65535],
  ["pm2_5", "\u00b5g/m\u00b3", 1, 0, 10, 10, 1023],
  ["pm10", "\u00b5g/m\u00b3", 1, 0, 10, 10, 1023]
];

var HEALTH = ["ok", "warming_up", "absent", "bus_error", "wrong_chip", "timeout", "checksum_error", "stale",
  "stuck", "out_of_range"];

// CayenneLPP (FPort 20): channel -> [quantity, LPP type, divisor]; seq and health are digital inputs
var LPP_ITEMS = {
  1: ["temperature", 103, 10],
  2: ["humidity", 104, 2],
  3: ["pressure", 115, 10],
  4: ["co2", 101, 1],
  5: ["pm2_5", 101, 1],
  6: ["pm10", 101, 1]
};
var LPP_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 101: 2, 102: 1, 103: 2, 104: 1, 115: 2};
var LPP_SEQ = 0;
var LPP_HEALTH = 10; // + sensor index
var LPP_DIGITAL_IN = 0;
var MAX_SENSORS = 7;

function unitOf(quantity) {
  for (var i = 0; i < FIELDS.length; i++) {
    if (FIELDS[i][0] === quantity) return FIELDS[i][1];
  }
  return "";
}

function healthName(code, warnings, index) {
  if (code < HEALTH.length) return HEALTH[code];
  warnings.push("sensor " + index + ": unknown health code " + code);
  return "unknown";
}

function Bits(bytes) {
  this.bytes = bytes;
  this.pos = 0;
}

Bits.prototype.read = function (n) {
  // n bits, most significant first; past the end reads as 0 and leaves pos beyond the data
  var v = 0;
  for (var i = 0; i < n; i++) {
    var p = this.pos + i;
    var bit = p >> 3 < this.bytes.length ? (this.bytes[p >> 3] >> (7 - (p & 7))) & 1 : 0;
    v = v * 2 + bit;
  }
  this.pos += n;
  return v;
};

function decodeCompact(bytes) {
  // layout v1 (docs/lorawan.md): seq | n | ok bits | health codes | all | presence | values | 0 bits
  var warnings = [];
  var r = new Bits(bytes);
  var data = {v: 1, seq: r.read(8), readings: {}, health: []};
  var n = r.read(3);
  var ok = [];
  var i;
  for (i = 0; i < n; i++) ok.push(r.read(1));
  for (i = 0; i < n; i++) data.health.push(ok[i] ? "ok" : healthName(r.read(4), warnings, i));
  var mask = r.read(1) ? 0x3f : r.read(6);
  for (i = 0; i < FIELDS.length; i++) {
    var f = FIELDS[i];
    if (!(mask & (0x20 >> i))) continue;
    var code = r.read(f[5]);
    if (code > f[6]) {
      warnings.push(f[0] + ": code " + code + " above " + f[6] + ", left out");
      continue;
    }
    data.readings[f[0]] = {value: (f[3] + code * f[4]) / Math.pow(10, f[2]), unit: f[1]};
  }
  var bits = bytes.length * 8;
  if (r.pos > bits) {
    return {data: {}, warnings: [], errors: ["payload too short: " + bytes.length + " bytes, layout v1 needs " +
      Math.ceil(r.pos / 8)]};
  }
  if (bits - r.pos >= 8) {
    warnings.push("ignored " + ((bits - r.pos) >> 3) + " extra byte(s)");
  } else if (r.read(bits - r.pos) !== 0) {
    warnings.push("padding bits are not 0");
  }
  return {data: data, warnings: warnings, errors: []};
}

function decodeCayenne(bytes) {
  var warnings = [];
  var data = {v: 1, seq: null, readings: {}, health: []};
  var i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) return {data: {}, warnings: [], errors: ["CayenneLPP item cut off at byte " + i]};
    var channel = bytes[i];
    var type = bytes[i + 1];
    var size = LPP_SIZES[type];
    if (size === undefined) return {data: {}, warnings: [], errors: ["CayenneLPP type " + type + " unknown"]};
    if (i + 2 + size > bytes.length) return {data: {}, warnings: [], errors: ["CayenneLPP item cut off at byte " + i]};
    var raw = size === 2 ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2];
    var item = LPP_ITEMS[channel];
    if (channel === LPP_SEQ && type === LPP_DIGITAL_IN) {
      data.seq = raw;
    } else if (channel >= LPP_HEALTH && channel < LPP_HEALTH + MAX_SENSORS && type === LPP_DIGITAL_IN) {
      data.health[channel - LPP_HEALTH] = healthName(raw, warnings, channel - LPP_HEALTH);
    } else if (item && item[1] === type) {
      if (type === 103 && raw > 0x7fff) raw -= 0x10000; // temperature is signed
      data.readings[item[0]] = {value: raw / item[2], unit: unitOf(item[0])};
    } else {
      warnings.push("CayenneLPP channel " + channel + " type " + type + " ignored");
    }
    i += 2 + size;
  }
  for (i = 0; i < data.health.length; i++) {
    if (data.health[i] === undefined) {
      warnings.push("sensor " + i + ": no health");
      data.health[i] = "unknown";
    }
  }
  if (data.seq === null) warnings.push("no seq");
  return {data: data, warnings: warnings, errors: []};
}

function decodeUplink(input) {
  var bytes = input.bytes || [];
  if (input.fPort === 1) return decodeCompact(bytes);
  if (input.fPort === 20) return decodeCayenne(bytes);
  return {data: {}, warnings: [], errors: ["unknown FPort " + input.fPort + " (1: compact layout v1, 20: CayenneLPP)"]};
}
