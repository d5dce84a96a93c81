// The LoRaWAN oracle for tests/host/test_lorawan_oracle.py: an independent implementation
// (npm lora-packet, pinned in package.json) judges the frames the firmware builds, and builds the
// frames the firmware must parse. One JSON object per line on stdin, one answer per line on stdout,
// in order; a line that fails answers {"error": "..."}.
//
// Kinds (hex strings; DevAddr and EUIs most significant byte first; counters and nonces as numbers):
//   data          {phy, nwkskey, appskey, fcnt}: fcnt is the full 32-bit counter the MIC used
//                 -> {mtype, dir, devaddr, fcnt16, adr, adrackreq, ack, fpending, fopts, fport,
//                     mic_ok, payload}   (payload decrypted; null without FPort)
//   join_request  {phy, appkey} -> {mtype, mic_ok, join_eui, dev_eui, dev_nonce}
//   join_accept   {phy, appkey, dev_nonce} -> {mic_ok, join_nonce, net_id, dev_addr, dl_settings,
//                     rx_delay, cflist, nwkskey, appskey}   (keys by lora-packet's derivation)
//   make_data     {mtype, devaddr, fcnt, fport, payload, fopts, ack, adr, fpending, nwkskey,
//                  appskey} -> {phy}
//   make_join_accept {join_nonce, net_id, dev_addr, dl_settings, rx_delay, cflist?, appkey} -> {phy}
"use strict";

var lora = require("lora-packet");
var readline = require("readline");

function hex(s) {
  return Buffer.from(s || "", "hex");
}

function be(value, bytes) {
  // an unsigned number -> Buffer of `bytes`, most significant first (lora-packet's field order)
  var b = Buffer.alloc(bytes);
  for (var i = bytes - 1; i >= 0; i--) {
    b[i] = value & 0xff;
    value = Math.floor(value / 256);
  }
  return b;
}

function msb(fcnt) {
  // the upper 16 bits of a 32-bit counter, as lora-packet appends them to the low 16 (little-endian)
  var upper = Math.floor(fcnt / 65536) & 0xffff;
  return Buffer.from([upper & 0xff, upper >> 8]);
}

function num(buf) {
  return parseInt(buf.toString("hex") || "0", 16);
}

function data(req) {
  var p = lora.fromWire(hex(req.phy));
  var nwk = hex(req.nwkskey);
  var hasPort = p.getFPort() !== null;
  return {
    mtype: p.getMType(),
    dir: p.getDir(),
    devaddr: p.DevAddr.toString("hex"),
    fcnt16: p.getFCnt(),
    adr: p.getFCtrlADR(),
    adrackreq: p.getFCtrlADRACKReq(),
    ack: p.getFCtrlACK(),
    fpending: p.getFCtrlFPending(),
    fopts: p.FOpts.toString("hex"),
    fport: p.getFPort(),
    mic_ok: lora.verifyMIC(p, nwk, undefined, msb(req.fcnt)),
    payload: hasPort ? lora.decrypt(p, hex(req.appskey), nwk, msb(req.fcnt)).toString("hex") : null,
  };
}

function joinRequest(req) {
  var p = lora.fromWire(hex(req.phy));
  return {
    mtype: p.getMType(),
    mic_ok: lora.verifyMIC(p, undefined, hex(req.appkey)),
    join_eui: p.AppEUI.toString("hex"),
    dev_eui: p.DevEUI.toString("hex"),
    dev_nonce: num(p.DevNonce),
  };
}

function joinAccept(req) {
  var key = hex(req.appkey);
  var p = lora.fromWire(lora.decryptJoinAccept(lora.fromWire(hex(req.phy)), key));
  var keys = lora.generateSessionKeys(key, p.NetID, p.AppNonce, be(req.dev_nonce, 2));
  return {
    mic_ok: lora.verifyMIC(p, undefined, key),
    join_nonce: num(p.AppNonce),
    net_id: num(p.NetID),
    dev_addr: p.DevAddr.toString("hex"),
    dl_settings: p.DLSettings[0],
    rx_delay: p.RxDelay[0],
    cflist: p.CFList && p.CFList.length ? p.CFList.toString("hex") : null,
    nwkskey: keys.NwkSKey.toString("hex"),
    appskey: keys.AppSKey.toString("hex"),
  };
}

function makeData(req) {
  var fields = {
    MType: req.mtype,
    DevAddr: hex(req.devaddr),
    FCnt: req.fcnt & 0xffff,
    FCtrl: { ACK: !!req.ack, ADR: !!req.adr, FPending: !!req.fpending },
    FOpts: hex(req.fopts),
  };
  if (req.fport !== null && req.fport !== undefined) {
    fields.FPort = req.fport;
    fields.payload = hex(req.payload);
  } else {
    fields.payload = Buffer.alloc(0); // lora-packet then leaves FPort out, but also the MIC:
  }
  var p = lora.fromFields(fields, hex(req.appskey), hex(req.nwkskey), undefined, msb(req.fcnt));
  lora.recalculateMIC(p, hex(req.nwkskey), undefined, msb(req.fcnt));
  return { phy: p.getPHYPayload().toString("hex") };
}

function makeJoinAccept(req) {
  var fields = {
    MType: "Join Accept",
    AppNonce: be(req.join_nonce, 3),
    NetID: be(req.net_id, 3),
    DevAddr: hex(req.dev_addr),
    DLSettings: req.dl_settings,
    RxDelay: req.rx_delay,
  };
  if (req.cflist) fields.CFList = hex(req.cflist);
  var p = lora.fromFields(fields, undefined, undefined, hex(req.appkey));
  return { phy: p.getPHYPayload().toString("hex") };
}

var KINDS = {
  data: data,
  join_request: joinRequest,
  join_accept: joinAccept,
  make_data: makeData,
  make_join_accept: makeJoinAccept,
};

readline.createInterface({ input: process.stdin }).on("line", function (line) {
  if (!line.trim()) return;
  var answer;
  try {
    var req = JSON.parse(line);
    var kind = KINDS[req.kind];
    if (!kind) throw new Error("unknown kind " + req.kind);
    answer = kind(req);
  } catch (e) {
    answer = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
