"""The network side of a LoRa replay: the simulated gateway and network server talk the Semtech UDP
protocol on loopback; the device side is the firmware's own frames module under MicroPython
(tests/oracle/frames.py), the network's frames (sim/lorawire.py) are also judged by lora-packet."""

import base64
import json
import shutil
import socket
import struct
import subprocess
from pathlib import Path

import pytest

from reallabor.firmware import console
from reallabor.sim import lorareplay, lorawire as lw
from reallabor.sim.gateway import Gateway
from reallabor.sim.netserver import Device, NetworkServer
from reallabor.traces import fileformat

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"dev_eui": "70B3D57ED0000001", "join_eui": "70B3D57ED0000000", "app_key": "2B7E151628AED2A6ABF7158809CF4F3C"}
EPOCH_MS = 1778716800000  # 2026-05-14T00:00:00Z


class Firmware:
    """node.net.lorawan_frames under unix-port MicroPython, one JSON request per line."""

    def __init__(self, micropython):
        self.proc = subprocess.Popen([micropython, "-X", "heapsize=2M", str(ROOT / "tests" / "oracle" / "frames.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={"MICROPYPATH": str(ROOT / "firmware" / "lib"), "PATH": "/usr/bin:/bin"})

    def __call__(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(5)


@pytest.fixture
def firmware(micropython):
    f = Firmware(micropython)
    yield f
    f.close()


@pytest.fixture
def network():
    ns = NetworkServer([Device.from_config("node-1", KEYS)], None)
    gw = Gateway(ns.address, ns.settled, EPOCH_MS)
    yield ns, gw
    gw.close()
    ns.close()


def frame(phy: bytes, freq=868100000, sf=7) -> console.RadioFrame:
    return console.RadioFrame(freq, sf, 125, phy, lw.airtime_us(len(phy), sf) / 1000, 14)


def join(firmware, gw, ns, nonce=0, t=1000):
    req = firmware(op="build_join_request", join_eui=KEYS["join_eui"], dev_eui=KEYS["dev_eui"], dev_nonce=nonce,
                   appkey=KEYS["app_key"])
    gw.heard(t, frame(bytes.fromhex(req["phy"])))
    return [json.loads(line) for line in gw.listen(t + 4997, 868100000, 7, 125)]


def test_join_over_udp_gives_the_session_both_sides_derive(firmware, network):
    ns, gw = network
    (down,) = join(firmware, gw, ns)
    # RX1: the join-request's channel and SF, 5 s after its end (JOIN_ACCEPT_DELAY1)
    assert (down["freq_hz"], down["sf"], down["t"] * 1000 + down["us"]) == (868100000, 7, 6_000_000)
    accept = firmware(op="parse_join_accept", phy=down["phy"], appkey=KEYS["app_key"], dev_nonce=0)
    s = ns.sessions[accept["dev_addr"]]
    assert (bytes.fromhex(accept["nwkskey"]), bytes.fromhex(accept["appskey"])) == (s.nwk, s.app)
    assert (accept["rx_delay"], accept["rx2_dr"], accept["rx1_dr_offset"]) == (5, 3, 0)  # as The Things Stack
    assert accept["cflist"] == [867100000, 867300000, 867500000, 867700000, 867900000]
    assert ns.stats.joins == 1 and gw.push_acks >= 1
    assert [f["dir"] for f in gw.frames] == ["up", "down"]


def test_uplinks_are_decoded_and_published_in_the_things_stack_format(firmware, network):
    ns, gw = network
    (down,) = join(firmware, gw, ns)
    a = firmware(op="parse_join_accept", phy=down["phy"], appkey=KEYS["app_key"], dev_nonce=0)
    payload = "2a3709bd7b7ba0"  # seq 42, a BME280 alone: 22.3 °C, 47 %RH, 1013.3 hPa (compact layout v1)
    up = firmware(op="build_data", mhdr=0x40, devaddr=a["dev_addr"], fcnt=0, fport=1, payload=payload, fopts="",
                  fctrl=0x80, nwkskey=a["nwkskey"], appskey=a["appskey"])
    gw.heard(10_000, frame(bytes.fromhex(up["phy"]), 867300000))
    topic, message = ns.published[-1]
    assert topic == "v3/reallabor@ttn/devices/node-1/up"
    u = message["uplink_message"]
    assert (u["f_port"], u["f_cnt"], base64.b64decode(u["frm_payload"]).hex()) == (1, 0, payload)
    assert message["end_device_ids"]["dev_eui"] == KEYS["dev_eui"]
    assert message["received_at"] == "2026-05-14T00:00:10.000Z" and u["settings"]["frequency"] == "867300000"
    if shutil.which("node"):
        assert u["decoded_payload"]["seq"] == 42 and u["decoded_payload"]["health"] == ["ok"]
        assert u["decoded_payload"]["readings"]["pressure"] == {"value": 1013.3, "unit": "hPa"}
    # the MAC commands The Things Stack sends after a join come in RX1, 5 s after the uplink
    (down,) = [json.loads(line) for line in gw.listen(14_997, 867300000, 7, 125)]
    assert down["t"] * 1000 + down["us"] == 15_000_000
    d = firmware(op="parse_data", phy=down["phy"], devaddr=a["dev_addr"], fcnt_next=0, nwkskey=a["nwkskey"],
                 appskey=a["appskey"])
    assert d["fport"] is None and d["fopts"] == "03ffff0001" "0400" "0503d2ad84" "0805" "06"


def test_refused_dev_nonces_and_frame_counters(firmware, network):
    ns, gw = network
    (down,) = join(firmware, gw, ns, nonce=5)
    assert join(firmware, gw, ns, nonce=5, t=20_000) == [] and join(firmware, gw, ns, nonce=3, t=30_000) == []
    assert (ns.stats.dev_nonce_refused, ns.stats.dev_nonce_reused, ns.stats.joins) == (2, 1, 1)
    a = firmware(op="parse_join_accept", phy=down["phy"], appkey=KEYS["app_key"], dev_nonce=5)

    def uplink(fcnt, payload, t):
        up = firmware(op="build_data", mhdr=0x40, devaddr=a["dev_addr"], fcnt=fcnt, fport=1, payload=payload,
                      fopts="", fctrl=0, nwkskey=a["nwkskey"], appskey=a["appskey"])
        gw.heard(t, frame(bytes.fromhex(up["phy"])))
        return up["phy"]

    for n in range(3):
        uplink(n, "0000", 40_000 + 10_000 * n)
    first = uplink(3, "0301", 80_000)
    gw.heard(90_000, frame(bytes.fromhex(first)))  # the same frame again (NbTrans): a repetition
    uplink(3, "0302", 100_000)  # the same counter, other content: refused
    uplink(1, "0303", 110_000)  # an old counter (a node that forgot it)
    uplink(40, "0304", 120_000)  # a gap is fine (the node skipped a reserved block)
    st = ns.stats
    assert (st.uplinks, st.repetitions, st.fcnt_reused) == (5, 1, 2)
    assert [m["uplink_message"]["f_cnt"] for t, m in ns.published if t.endswith("/up")] == [0, 1, 2, 3, 40]


def test_gateway_refuses_a_late_downlink_and_unwraps_the_counter(network):
    ns, gw = network
    gw._now_us = 5_000_000_000  # later than 2**32 us: the counter wrapped once
    assert gw._unwrap((5_000_000_000 + 5_000_000) % 2 ** 32) == 5_005_000_000
    txpk = {"tmst": (5_000_000_000 - 1000) % 2 ** 32, "freq": 868.1, "datr": "SF7BW125", "data": "AA==", "ncrc": True}
    assert gw._transmit(txpk) == "TOO_LATE"
    assert gw._transmit(dict(txpk, tmst=(5_001_000_000) % 2 ** 32, freq=915.0)) == "TX_FREQ"
    assert gw._transmit(dict(txpk, tmst=(5_001_000_000) % 2 ** 32)) == "NONE"
    assert gw._transmit(dict(txpk, tmst=(5_001_000_100) % 2 ** 32)) == "COLLISION_PACKET"


def test_semtech_udp_acknowledgements(network):
    ns, gw = network
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    eui = bytes(8)
    s.sendto(b"\x02\x12\x34\x02" + eui, ns.address)  # PULL_DATA
    assert s.recv(64) == b"\x02\x12\x34\x04"  # PULL_ACK, same token
    s.sendto(b"\x02\xab\xcd\x00" + eui + b'{"stat":{"rxnb":0}}', ns.address)  # PUSH_DATA
    assert s.recv(64) == b"\x02\xab\xcd\x01"  # PUSH_ACK
    s.close()


def test_console_radio_lines():
    tx = console.radio_tx("radio tx freq=868100000 sf=7 bw=125 cr=5 dbm=14 toa=61.7 phy=40aabbccdd")
    assert (tx.freq_hz, tx.sf, tx.bw_khz, tx.toa_ms, tx.phy) == (868100000, 7, 125, 61.7, bytes.fromhex("40aabbccdd"))
    assert console.radio_listen("radio listen freq=869525000 sf=9 bw=125 n=4") == (869525000, 9, 125, 4)
    assert console.lora_wait("lora wait fair_use 197000 ms, queued from seq=12") == ("fair_use", 197000)
    assert console.lora_sent("lora sent seq=3 fcnt=7") == (3, 7) and console.lora_queued("lora queued from seq=9") == 9


def test_airtime_and_the_worst_24_hours():
    assert lw.airtime_us(24, 7) == 61_696 and lw.airtime_us(24, 12) == 1_482_752  # docs/radio.md's figures
    day = 86_400_000
    frames = [{"t": t, "dir": "up", "airtime_ms": 1000.0} for t in range(0, 2 * day, day // 10)]
    frames += [{"t": day - 1, "dir": "down", "airtime_ms": 50.0}]
    air = lorareplay.airtime(frames, 2 * day)
    assert [round(a, 1) for a, _ in air.days] == [10.0, 10.0] and air.days[0][1] == 1
    assert air.worst_airtime_s == 10.0 and air.worst_downlinks == 1 and air.within_budget


def test_fault_kinds_for_the_gateway_validate(tmp_path):
    path = tmp_path / "t.jsonl"
    header = {"format": "reallabor-trace", "version": 1, "board": "heltec-wifi-lora32-v3", "source": "synthetic",
              "start": "2026-05-14T00:00:00Z"}
    good = [{"t": 0, "fault": "downlinks_lost", "count": 3}, {"t": 1, "fault": "gateway_down"},
            {"t": 2, "fault": "gateway_up"}]
    fileformat.write(path, header, good)
    summary, problems = fileformat.check(path)
    assert problems == [] and [f["fault"] for f in summary.faults] == ["downlinks_lost", "gateway_down", "gateway_up"]
    fileformat.write(path, header, [{"t": 0, "fault": "downlinks_lost", "count": 0}])
    (problem,) = fileformat.check(path)[1]
    assert problem.params["name"] == "count" and problem.params["expected"] == "> 0"


@pytest.fixture(scope="module")
def lorapacket():
    node = shutil.which("node")
    if not node:
        pytest.skip("node not found")

    def ask(requests):
        done = subprocess.run([node, str(ROOT / "tests" / "oracle" / "lorapacket.js")], cwd=ROOT, text=True,
                              input="".join(json.dumps(r) + "\n" for r in requests), capture_output=True, timeout=60)
        return [json.loads(line) for line in done.stdout.splitlines()]

    return ask


def test_network_frames_pass_lora_packet(lorapacket):
    key = bytes.fromhex(KEYS["app_key"])
    accept = lw.join_accept(key, 7, 0x13, 0x260B0001, 1, 3, 5, (867100000,))
    nwk, app = lw.session_keys(key, 7, 0x13, 0x1234)
    down = lw.build_data(lw.UNCONFIRMED_DOWN, 0x260B0001, 70000, nwk, app, lw.ACK, b"\x06", 2, b"\x01\x02")
    ja, data = lorapacket([{"kind": "join_accept", "phy": accept.hex(), "appkey": KEYS["app_key"], "dev_nonce": 0x1234},
                           {"kind": "data", "phy": down.hex(), "nwkskey": nwk.hex(), "appskey": app.hex(), "fcnt": 70000}])
    assert ja["mic_ok"] and ja["dev_addr"] == "260b0001" and ja["dl_settings"] == 0x13 and ja["rx_delay"] == 5
    assert (ja["nwkskey"], ja["appskey"]) == (nwk.hex(), app.hex())
    assert data["mic_ok"] and data["payload"] == "0102" and data["ack"] and data["fopts"] == "06"
    assert data["fcnt16"] == 70000 & 0xFFFF and struct.unpack("<H", down[6:8])[0] == 70000 & 0xFFFF
