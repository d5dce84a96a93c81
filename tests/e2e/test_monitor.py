"""`reallabor monitor` against a real Mosquitto: one row per reading with the local wall-clock time,
a labelled column per sensor and quantity (the kit's three thermometers apart), health in words,
status changes on lines of their own; copies (QoS 1) shown once."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as paho

ROOT = Path(__file__).resolve().parents[2]


def test_monitor_labels_each_column_and_words_the_health(broker, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "REALLABOR_LANG")}
    env.update(PYTHONPATH=str(ROOT / "host"), REALLABOR_DATA=str(data_dir), TZ="Europe/Berlin")
    monitor = subprocess.Popen([sys.executable, "-m", "reallabor.cli", "monitor", "--broker", broker.url],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert monitor.stdout.readline().startswith("Warte auf Messwerte von " + broker.url)
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", broker.port)
        pub.loop_start()
        t = 1778753400  # 2026-05-14 10:10:00 UTC = 12:10:00 in Berlin
        body = {"v": 1, "device": "werkbank-1", "seq": 42, "time": t, "readings": {
            "bme280": {"temperature": {"value": 22.31, "unit": "°C"}},
            "sht4x": {"temperature": {"value": 21.95, "unit": "°C"}},
            "scd4x": {"co2": {"value": 1184, "unit": "ppm"}, "temperature": {"value": 22.93, "unit": "°C"}}},
            "health": {"bme280": "ok", "sht4x": "ok", "scd4x": "ok", "sds011": "warming_up", "bh1750": "absent"}}
        for _ in range(2):  # a QoS 1 copy
            pub.publish("reallabor/werkstatt/werkbank-1/state", json.dumps(body), qos=1).wait_for_publish(5)
        pub.publish("reallabor/werkstatt/werkbank-1/status", json.dumps({"state": "sleeping", "wake": t + 300}),
                    qos=1).wait_for_publish(5)
        head, row, status = (monitor.stdout.readline() for _ in range(3))
        pub.disconnect()
        pub.loop_stop()
    finally:
        monitor.terminate()
        out, err = monitor.communicate(timeout=10)
    assert "Traceback" not in err, err
    assert ["bme280 T °C", "sht4x T °C", "scd4x CO2 ppm", "scd4x T °C"] == \
        [h for h in ("bme280 T °C", "sht4x T °C", "scd4x CO2 ppm", "scd4x T °C") if h in head]
    assert head.index("bme280 T °C") < head.index("sht4x T °C") < head.index("scd4x T °C")
    assert row.startswith("12:10:00 werkbank-1") and "22.31" in row and "21.95" in row and "1184" in row
    assert "sds011: Sensor wärmt auf, bh1750: Sensor nicht angeschlossen" in row
    assert status.strip().endswith("werkbank-1: schläft bis 12:15")
    assert "werkbank-1" not in out  # the copy of seq 42 was not printed again
