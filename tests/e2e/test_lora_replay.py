"""End to end over LoRa: the firmware in unix-port MicroPython replays the sample LoRa day on a
Heltec V3; its frames go through the simulated air to the Semtech-UDP gateway and the network
server, which publishes to a real Mosquitto. lora-packet judges every frame; the readings equal
those the MQTT path delivers for the same trace; the fault scenarios lose nothing they need not,
and never use a frame counter or DevNonce twice."""

import json
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from reallabor.sim import lorareplay, replay, scenarios

ROOT = Path(__file__).resolve().parents[2]
DAY = ROOT / "traces" / "courtyard-24h-lora.jsonl"
KEYS = json.loads(DAY.read_text().splitlines()[0])["lora"]
BASELINE = ROOT / "bench" / "baseline"


@pytest.fixture(scope="module")
def day():
    if not shutil.which("node"):
        pytest.skip("node not found: the network server decodes with decoders/reallabor.js")
    result = replay.run(DAY)
    assert result.returncode == 0, result.stderr
    return result


def lorapacket(requests):
    done = subprocess.run([shutil.which("node"), str(ROOT / "tests" / "oracle" / "lorapacket.js")], cwd=ROOT, text=True,
                          input="".join(json.dumps(r) + "\n" for r in requests), capture_output=True, timeout=120)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(requests) and not [a for a in answers if "error" in a], done.stderr
    return answers


def test_every_frame_of_the_day_passes_lora_packet(day):
    frames = day.lorawan.frames
    published = {m.payload["uplink_message"]["f_cnt"]: m.payload["uplink_message"]["frm_payload"] for m in day.uplinks}
    (request,) = [f for f in frames if f["phy"].startswith("00")]
    (accept,) = [f for f in frames if f["phy"].startswith("20")]
    jr, = lorapacket([{"kind": "join_request", "phy": request["phy"], "appkey": KEYS["app_key"]}])
    assert jr["mic_ok"] and jr["dev_eui"] == KEYS["dev_eui"].lower() and jr["dev_nonce"] == 0
    ja, = lorapacket([{"kind": "join_accept", "phy": accept["phy"], "appkey": KEYS["app_key"], "dev_nonce": 0}])
    assert ja["mic_ok"] and ja["rx_delay"] == 5
    # the session lora-packet derives from the join-accept is the node's: every uplink verifies with it
    data = [f for f in frames if f["phy"][:2] in ("40", "80", "60", "a0")]
    counters = {"up": -1, "down": -1}
    requests = []
    for f in data:
        fcnt16 = int(f["phy"][14:16] + f["phy"][12:14], 16)
        last = counters[f["dir"]]
        full = last + 1 + ((fcnt16 - last - 1) & 0xFFFF)
        counters[f["dir"]] = full
        requests.append({"kind": "data", "phy": f["phy"], "nwkskey": ja["nwkskey"], "appskey": ja["appskey"], "fcnt": full})
    answers = lorapacket(requests)
    assert len(answers) == len(day.uplinks) + sum(1 for f in frames if f["dir"] == "down") - 1
    assert all(a["mic_ok"] for a in answers)
    import base64

    ups = [(r, a) for r, a in zip(requests, answers) if a["dir"] == "up"]
    assert len(ups) == 288
    for r, a in ups:
        assert a["devaddr"] == ja["dev_addr"] and a["fport"] == 1
        assert base64.b64decode(published[r["fcnt"]]).hex() == a["payload"]  # decrypts to what the server got


def rounded(value, step):
    return float((Decimal(str(value)) / Decimal(step)).quantize(Decimal(1), rounding=ROUND_HALF_UP) * Decimal(step))


def test_the_decoder_gives_the_readings_the_mqtt_path_publishes(day):
    mqtt = replay.run(DAY, config={"site": "replay", "interval_s": 300, "sensors": [{"type": "bme280", "bus": "i2c0",
                                                                                     "addr": 118}]})
    assert mqtt.returncode == 0 and mqtt.lorawan is None and len(mqtt.states) == 288
    states = {m.payload["seq"]: m.payload["readings"]["bme280"] for m in mqtt.states}
    decoded = lorareplay.full_seqs(day.uplinks)
    assert [s for s, _ in decoded] == list(range(288))
    for seq, m in decoded:
        lora = m.payload["uplink_message"]["decoded_payload"]["readings"]
        want = states[seq]
        assert lora["temperature"]["value"] == rounded(want["temperature"]["value"], "0.1"), seq
        assert lora["pressure"]["value"] == rounded(want["pressure"]["value"], "0.1"), seq
        assert lora["humidity"]["value"] == rounded(want["humidity"]["value"], "0.5"), seq


def test_the_day_keeps_the_fair_use_budget_and_the_summary_says_so(day, cli, tmp_path):
    air = lorareplay.airtime(day.lorawan.frames, day.virtual_ms)
    assert air.within_budget and 10 < air.worst_airtime_s < 30
    assert day.lorawan.server.stats.joins == 1 and day.lorawan.server.stats.fcnt_reused == 0
    out = tmp_path / "frames.jsonl"
    done = cli("replay", DAY, "--frames", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "joins 1 (join-requests 1), uplinks 288 (readings delivered 288)" in done.stdout
    assert "in the worst 24 h:" in done.stdout and "within the budget" in done.stdout
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert set(lines[0]) == {"t", "dir", "freq_hz", "sf", "bw_khz", "phy", "airtime_ms"}
    assert sum(1 for f in lines if f["dir"] == "up") == 289  # the join-request and 288 uplinks


LORA = {s.name: s for s in scenarios.lora_scenarios(quick=True)}


@pytest.mark.parametrize("name", list(LORA))
def test_lora_scenario(name):
    if not shutil.which("node"):
        pytest.skip("node not found")
    s = LORA[name]
    c = scenarios.run_scenario(s)
    assert scenarios.lora_failures(s, c) == [], c
    assert c.sampled >= 12 and c.fcnt_reused == 0 and c.nonces_reused == 0
    if "unconfirmed" in name:
        assert 0 < c.lost <= 13  # what was sent into the outage (an hour at 5 minutes)
    if "power losses" in name:
        assert c.boots > 5


def test_naive_nodes_reuse_counters_after_power_losses():
    if not shutil.which("node"):
        pytest.skip("node not found")
    s = next(s for s in LORA.values() if "power losses" in s.name)
    ram = scenarios.run_scenario(s, scenarios.Transport("ram", BASELINE / "main_lora_ramcounter.py", (BASELINE,)))
    assert ram.fcnt_reused > 0 and ram.lost > 0  # refused by the network: readings lost
    rnd = scenarios.run_scenario(s, scenarios.Transport("random", BASELINE / "main_lora_randomnonce.py", (BASELINE,)))
    assert rnd.nonces_reused > 0


def test_a_hundred_power_losses_in_a_day_lose_nothing_and_crash_nothing():
    # The whole day of the fault script (the suite runs the other scenarios shortened): one of its
    # boots once ran out of memory for good, as the simulated radio chip's receive windows left
    # holes in the heap it shares with the node
    if not shutil.which("node"):
        pytest.skip("node not found")
    s = next(s for s in scenarios.lora_scenarios(quick=False) if "power losses" in s.name)
    c = scenarios.run_scenario(s)
    assert scenarios.lora_failures(s, c) == [], c
    assert c.boots > 80 and c.delivered == c.sampled > 280  # some cuts fall while it is already off
