"""The firmware's LoRaWAN frames (node.net.lorawan_frames under unix-port MicroPython, driven by
tests/oracle/frames.py) judged by an independent implementation, npm lora-packet
(tests/oracle/lorapacket.js): uplinks and join-requests the firmware builds from seeded random
inputs must verify and decrypt there; downlinks and join-accepts lora-packet builds must parse in the
firmware to what was sent and to the session lora-packet derives; and every stored vector in
tests/vectors/lorawan-frames.json must agree with both."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tests" / "oracle"
VECTORS = ROOT / "tests" / "vectors" / "lorawan-frames.json"
N = 200  # random frames of each kind
MTYPES = {0x40: "Unconfirmed Data Up", 0x80: "Confirmed Data Up"}


def _lines(cmd, requests, **kw):
    done = subprocess.run(cmd, input="".join(json.dumps(r) + "\n" for r in requests), capture_output=True,
                          text=True, timeout=120, check=False, **kw)
    assert done.returncode == 0, done.stdout + done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(requests), done.stderr
    return answers


@pytest.fixture(scope="module")
def oracle():
    node = shutil.which("node")
    if not node:
        pytest.skip("node not found: install Node.js to check the LoRaWAN frames against npm lora-packet")
    if not (ROOT / "node_modules" / "lora-packet").is_dir():
        pytest.fail("npm lora-packet is not installed: run `npm ci` in the repository root")

    def ask(requests):
        answers = _lines([node, str(ORACLE / "lorapacket.js")], requests, cwd=ROOT)
        errors = [a for a in answers if "error" in a]
        assert not errors, errors[:3]
        return answers

    return ask


@pytest.fixture(scope="module")
def firmware(micropython):
    def run(requests):
        return _lines([micropython, "-X", "heapsize=2M", str(ORACLE / "frames.py")], requests,
                      env={"MICROPYPATH": str(ROOT / "firmware" / "lib"), "PATH": "/usr/bin:/bin"})

    return run


def _key(rng):
    return rng.randbytes(16).hex()


def _fcnt(rng):
    # small, around a 16-bit wrap, anywhere in 32 bits
    return rng.choice((rng.randrange(0, 100), rng.randrange(65436, 65636), rng.getrandbits(32)))


def _port_payload_fopts(rng, max_payload=51):
    fport = rng.choice((None, 0, rng.randrange(1, 256), rng.randrange(1, 224)))
    payload = b"" if fport is None else rng.randbytes(rng.randrange(0, max_payload + 1))
    fopts = b"" if fport == 0 else rng.randbytes(rng.randrange(0, 16))
    return fport, payload.hex(), fopts.hex()


def test_uplinks_the_firmware_builds_verify_and_decrypt_in_lora_packet(firmware, oracle):
    rng = random.Random(4493)
    sent = []
    for _ in range(N):
        fport, payload, fopts = _port_payload_fopts(rng, rng.choice((51, 222)))
        sent.append({"op": "build_data", "mhdr": rng.choice(list(MTYPES)), "devaddr": rng.getrandbits(32),
                     "fcnt": _fcnt(rng), "fport": fport, "payload": payload, "fopts": fopts,
                     "fctrl": rng.choice((0, 0x80, 0x40, 0x20, 0xE0)), "nwkskey": _key(rng), "appskey": _key(rng)})
    frames = firmware(sent)
    checks = [{"kind": "data", "phy": f["phy"], "nwkskey": s["nwkskey"], "appskey": s["appskey"], "fcnt": s["fcnt"]}
              for s, f in zip(sent, frames)]
    # the same frames judged with the counter's upper 16 bits off by one: the MIC must fail
    wrong = [dict(c, fcnt=(c["fcnt"] + 0x10000) % 2**32) for c in checks]
    seen = oracle(checks + wrong)
    for s, got in zip(sent, seen[:N]):
        assert got == {
            "mtype": MTYPES[s["mhdr"]], "dir": "up", "devaddr": "%08x" % s["devaddr"], "fcnt16": s["fcnt"] & 0xFFFF,
            "adr": bool(s["fctrl"] & 0x80), "adrackreq": bool(s["fctrl"] & 0x40), "ack": bool(s["fctrl"] & 0x20),
            "fpending": False, "fopts": s["fopts"], "fport": s["fport"], "mic_ok": True,
            "payload": None if s["fport"] is None else s["payload"],
        }, s
    assert not any(got["mic_ok"] for got in seen[N:])


def test_downlinks_lora_packet_builds_parse_in_the_firmware(firmware, oracle):
    rng = random.Random(868)
    made = []
    for _ in range(N):
        fport, payload, fopts = _port_payload_fopts(rng)
        made.append({"kind": "make_data", "mtype": rng.choice(("Unconfirmed Data Down", "Confirmed Data Down")),
                     "devaddr": "%08x" % rng.getrandbits(32), "fcnt": _fcnt(rng), "fport": fport, "payload": payload,
                     "fopts": fopts, "ack": rng.random() < 0.5, "adr": rng.random() < 0.5,
                     "fpending": rng.random() < 0.5, "nwkskey": _key(rng), "appskey": _key(rng)})
    frames = oracle(made)
    parsed = firmware([{"op": "parse_data", "phy": f["phy"], "devaddr": int(m["devaddr"], 16),
                        "fcnt_next": max(0, m["fcnt"] - rng.randrange(0, 1000)), "nwkskey": m["nwkskey"],
                        "appskey": m["appskey"]} for m, f in zip(made, frames)])
    for m, got in zip(made, parsed):
        assert got == {"fcnt": m["fcnt"], "fport": m["fport"], "payload": m["payload"], "fopts": m["fopts"],
                       "ack": m["ack"], "fpending": m["fpending"], "adr": m["adr"],
                       "confirmed": m["mtype"] == "Confirmed Data Down"}, m


def test_join_requests_the_firmware_builds_verify_in_lora_packet(firmware, oracle):
    rng = random.Random(6)
    sent = [{"op": "build_join_request", "join_eui": rng.randbytes(8).hex(), "dev_eui": rng.randbytes(8).hex(),
             "dev_nonce": rng.randrange(0, 65536), "appkey": _key(rng)} for _ in range(N)]
    frames = firmware(sent)
    seen = oracle([{"kind": "join_request", "phy": f["phy"], "appkey": s["appkey"]} for s, f in zip(sent, frames)]
                  + [{"kind": "join_request", "phy": f["phy"], "appkey": _key(rng)} for f in frames[:20]])
    for s, got in zip(sent, seen):
        assert got == {"mtype": "Join Request", "mic_ok": True, "join_eui": s["join_eui"], "dev_eui": s["dev_eui"],
                       "dev_nonce": s["dev_nonce"]}
    assert not any(got["mic_ok"] for got in seen[N:])  # another AppKey


def test_join_accepts_give_the_device_the_session_lora_packet_derives(firmware, oracle):
    rng = random.Random(2)
    made = []
    for _ in range(N):
        cflist = None
        if rng.random() < 0.5:
            freqs = [rng.choice((0, rng.randrange(8630000, 8700000))) for _ in range(5)]  # 100 Hz units
            cflist = b"".join(f.to_bytes(3, "little") for f in freqs).hex() + "00"
        made.append({"kind": "make_join_accept", "join_nonce": rng.getrandbits(24), "net_id": rng.getrandbits(24),
                     "dev_addr": "%08x" % rng.getrandbits(32), "dl_settings": rng.randrange(0, 128),
                     "rx_delay": rng.randrange(0, 16), "cflist": cflist, "appkey": _key(rng),
                     "dev_nonce": rng.randrange(0, 65536)})
    frames = oracle(made)
    parsed = firmware([{"op": "parse_join_accept", "phy": f["phy"], "appkey": m["appkey"], "dev_nonce": m["dev_nonce"]}
                       for m, f in zip(made, frames)])
    keys = oracle([{"kind": "join_accept", "phy": f["phy"], "appkey": m["appkey"], "dev_nonce": m["dev_nonce"]}
                   for m, f in zip(made, frames)])
    for m, got, lp in zip(made, parsed, keys):
        cflist = None
        if m["cflist"]:
            raw = bytes.fromhex(m["cflist"])
            cflist = [int.from_bytes(raw[3 * i:3 * i + 3], "little") * 100 for i in range(5)]
        assert lp["mic_ok"], m
        assert got == {"join_nonce": m["join_nonce"], "net_id": m["net_id"], "dev_addr": int(m["dev_addr"], 16),
                       "rx1_dr_offset": m["dl_settings"] >> 4, "rx2_dr": m["dl_settings"] & 0x0F,
                       "rx_delay": m["rx_delay"] or 1, "cflist": cflist,
                       "nwkskey": lp["nwkskey"], "appskey": lp["appskey"]}, m


def test_stored_vectors_agree_with_lora_packet(oracle):
    v = json.loads(VECTORS.read_text())
    ups = oracle([{"kind": "data", "phy": u["phy"], "nwkskey": u["nwkskey"], "appskey": u["appskey"], "fcnt": u["fcnt"]}
                  for u in v["uplinks"]])
    for u, got in zip(v["uplinks"], ups):
        assert got["mic_ok"] and got["payload"] == (None if u["fport"] is None else u["payload"]), u["description"]
        assert (got["fport"], got["fopts"], got["devaddr"]) == (u["fport"], u["fopts"], u["devaddr"]), u["description"]
    assert v["uplinks"][0]["phy"] == "40f17dbe4900020001954378762b11ff0d"  # the published example
    downs = oracle([{"kind": "data", "phy": d["phy"], "nwkskey": d["nwkskey"], "appskey": d["appskey"],
                     "fcnt": d["sent"]["fcnt"]} for d in v["downlinks"]])
    for d, got in zip(v["downlinks"], downs):
        s = d["sent"]
        assert got["mic_ok"] and got["dir"] == "down", d["description"]
        assert (got["fport"], got["fopts"]) == (s["fport"], s["fopts"]), d["description"]
        if "error" not in d["expect"]:
            assert got["payload"] == (None if s["fport"] is None else s["payload"]), d["description"]
            assert (d["expect"]["fcnt"], d["expect"]["payload"], d["expect"]["fopts"]) == \
                (s["fcnt"], s["payload"], s["fopts"]), d["description"]
    jrs = oracle([{"kind": "join_request", "phy": j["phy"], "appkey": j["appkey"]} for j in v["join_requests"]])
    for j, got in zip(v["join_requests"], jrs):
        assert got == {"mtype": "Join Request", "mic_ok": True, "join_eui": j["join_eui"], "dev_eui": j["dev_eui"],
                       "dev_nonce": j["dev_nonce"]}, j["description"]
    jas = oracle([{"kind": "join_accept", "phy": j["phy"], "appkey": j["appkey"], "dev_nonce": j["dev_nonce"]}
                  for j in v["join_accepts"]])
    for j, got in zip(v["join_accepts"], jas):
        e = j["expect"]
        assert got["mic_ok"], j["description"]
        assert (got["nwkskey"], got["appskey"], got["join_nonce"], got["net_id"], got["dev_addr"]) == \
            (e["nwkskey"], e["appskey"], e["join_nonce"], e["net_id"], e["dev_addr"]), j["description"]
        assert (e["rx1_dr_offset"], e["rx2_dr"], e["rx_delay"]) == \
            (got["dl_settings"] >> 4 & 7, got["dl_settings"] & 15, got["rx_delay"] or 1), j["description"]
