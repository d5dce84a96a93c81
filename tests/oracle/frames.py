# Runs node.net.lorawan_frames under unix-port MicroPython for tests/host/test_lorawan_oracle.py:
# one JSON request per line on stdin, one JSON answer per line on stdout, in order. Byte strings
# are hex; DevAddr, counters and nonces are numbers; EUIs are hex, most significant byte first.
#   build_data         {mhdr, devaddr, fcnt, fport, payload, fopts, fctrl, nwkskey, appskey} -> {phy}
#   parse_data         {phy, devaddr, fcnt_next, nwkskey, appskey} -> {fcnt, fport, payload, fopts,
#                       ack, fpending, adr, confirmed} or {error}
#   build_join_request {join_eui, dev_eui, dev_nonce, appkey} -> {phy}
#   parse_join_accept  {phy, appkey, dev_nonce} -> {join_nonce, net_id, dev_addr, rx1_dr_offset,
#                       rx2_dr, rx_delay, cflist, nwkskey, appskey} or {error}
import json
import sys

from node.net import lorawan_frames as lf
from node.net import lorawan_otaa as otaa

_out = bytearray(256)


def h(text):
    return bytes.fromhex(text or "")


def build_data(r):
    n = lf.build_data(_out, r["mhdr"], r["devaddr"], r["fcnt"], r["fport"], h(r["payload"]), h(r["nwkskey"]),
                      h(r["appskey"]), r["fctrl"], h(r["fopts"]))
    return {"phy": bytes(_out[:n]).hex()}


def parse_data(r):
    frame = bytearray(h(r["phy"]))
    d = lf.parse_data(frame, len(frame), r["devaddr"], r["fcnt_next"], h(r["nwkskey"]), h(r["appskey"]))
    return {"fcnt": d.fcnt, "fport": d.fport, "payload": bytes(d.payload).hex(), "fopts": bytes(d.fopts).hex(),
            "ack": d.ack, "fpending": d.fpending, "adr": d.adr, "confirmed": d.confirmed}


def build_join_request(r):
    n = otaa.build_join_request(_out, h(r["join_eui"]), h(r["dev_eui"]), r["dev_nonce"], h(r["appkey"]))
    return {"phy": bytes(_out[:n]).hex()}


def parse_join_accept(r):
    frame = bytearray(h(r["phy"]))
    j = otaa.parse_join_accept(frame, len(frame), h(r["appkey"]), r["dev_nonce"])
    return {"join_nonce": j.join_nonce, "net_id": j.net_id, "dev_addr": j.dev_addr, "rx1_dr_offset": j.rx1_dr_offset,
            "rx2_dr": j.rx2_dr, "rx_delay": j.rx_delay, "cflist": None if j.cflist is None else list(j.cflist),
            "nwkskey": j.nwkskey.hex(), "appskey": j.appskey.hex()}


OPS = {"build_data": build_data, "parse_data": parse_data, "build_join_request": build_join_request,
       "parse_join_accept": parse_join_accept}


def main():
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        r = json.loads(line)
        try:
            answer = OPS[r["op"]](r)
        except lf.FrameError as e:
            answer = {"error": str(e)}
        sys.stdout.write(json.dumps(answer) + "\n")


main()
