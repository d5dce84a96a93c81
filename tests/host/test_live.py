"""The live view without a browser: parsing what nodes send, the SQLite history (de-duplication,
counter restarts, seq gaps, retention, WAL), the bands and their limits, the fleet rows, the
server's API and event stream, the page's texts, and the command's errors."""

import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reallabor.messages import CATALOG
from reallabor.monitor.live import app as live_app, fleetview, quantities, wire
from reallabor.monitor.live.collector import Collector, LiveState
from reallabor.monitor.live.store import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "host" / "reallabor" / "monitor" / "live" / "static"


def state(device="a", seq=1, t=None, co2=800, health=None, **extra) -> bytes:
    body = {"v": 1, "device": device, "seq": seq, "time": t if t is not None else int(time.time()),
            "readings": {"scd4x": {"co2": {"value": co2, "unit": "ppm", "n": 5, "min": co2, "max": co2},
                                   "temperature": {"value": 22.31, "unit": "°C", "n": 5, "min": 22.3, "max": 22.4}},
                         "sht4x": {"temperature": {"value": 21.5, "unit": "°C", "n": 6, "min": 21.4, "max": 21.6}}},
            "health": health or {"scd4x": "ok", "sht4x": "ok"}, **extra}
    return json.dumps(body).encode()


def parsed(payload, device="a", kind="state"):
    return wire.parse(f"reallabor/hof/{device}/{kind}", payload)


# --- what arrives -----------------------------------------------------------------------------------

def test_state_message_parses_with_its_main_value_per_quantity():
    r = parsed(state(seq=7, co2=1184))
    assert (r.device, r.seq, r.site, r.prefix) == ("a", 7, "hof", "reallabor")
    assert quantities.main_values(r.readings) == {"co2": ("scd4x", 1184.0, "ppm"),
                                                  "temperature": ("scd4x", 22.31, "°C")}
    assert r.node is None  # firmware without diagnostics


def test_node_diagnostics_are_kept_and_wrong_fields_left_out():
    r = parsed(state(node={"battery_mv": 3712, "rssi_dbm": -67, "firmware": "1.2.0", "reset": "watchdog",
                           "uptime_s": 30, "heap_free": "lots"}))
    assert r.node == {"battery_mv": 3712, "rssi_dbm": -67, "firmware": "1.2.0", "reset": "watchdog", "uptime_s": 30}


@pytest.mark.parametrize("payload", [b"", b"not json", b"[1]", b'{"seq": -1, "readings": {}}',
                                     b'{"seq": 1, "readings": {"x": {"co2": {"value": "high"}}}}',
                                     b'{"seq": 1, "device": "other", "readings": {}}',
                                     "{\"seq\": 1, \"time\": \"now\"}".encode(), b"\xff\xfe"])
def test_malformed_state_messages_are_rejected_not_raised(payload):
    assert parsed(payload) is None


def test_status_messages():
    s = wire.parse("reallabor/hof/a/status", b'{"state":"sleeping","dropped":2,"wake":1778716860}', retained=True)
    assert (s.state, s.wake, s.dropped, s.retained) == ("sleeping", 1778716860, 2, True)
    assert wire.parse("reallabor/hof/a/status", b'{"state":"confused"}') is None
    assert wire.parse("reallabor/hof/a/other", b'{"state":"online"}') is None


def test_tts_uplink_mirrors_the_state_message():
    up = {"end_device_ids": {"device_id": "rl-0000aa", "application_ids": {"application_id": "reallabor"}},
          "received_at": "2026-05-14T09:30:00.123456789Z",
          "uplink_message": {"f_port": 1, "f_cnt": 9, "rx_metadata": [{"rssi": -101}, {"rssi": -95}],
                             "decoded_payload": {"v": 1, "seq": 42, "health": ["ok", "absent"],
                                                 "readings": {"co2": {"value": 1184, "unit": "ppm"},
                                                              "pm2_5": {"value": 12, "unit": "µg/m³"}}}}}
    r = wire.parse("v3/reallabor@ttn/devices/rl-0000aa/up", json.dumps(up).encode())
    assert (r.device, r.seq, r.source, r.seq_bits, r.rssi_dbm) == ("rl-0000aa", 42, "tts", 8, -95)
    assert r.node_time == 1778751000
    assert r.readings == {"lorawan": {"co2": {"value": 1184.0, "unit": "ppm"}, "pm2_5": {"value": 12.0, "unit": "µg/m³"}}}
    assert r.health == {"#1": "ok", "#2": "absent"}


def test_unwrap_takes_the_nearest_number_with_those_low_bits():
    assert wire.unwrap(44, 8, 300) == 300  # a copy
    assert wire.unwrap(45, 8, 300) == 301
    assert wire.unwrap(172, 8, 300) == 428  # last + 128
    assert wire.unwrap(173, 8, 300) == 173  # last - 127
    assert wire.unwrap(5, 8, None) == 5


def test_topic_filters():
    assert wire.topics({"reallabor"}, "hof") == ["reallabor/hof/+/state", "reallabor/hof/+/status",
                                                 "v3/+/devices/+/up"]
    assert wire.topics({"reallabor"}, None)[0] == "reallabor/+/+/state"


# --- the history ---------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "live" / "history.sqlite", retention_days=1)
    yield s
    s.close()


def test_duplicates_are_dropped_and_counted(store):
    c = Collector(store, LiveState())
    now = int(time.time())
    first = c.process([parsed(state(seq=s, t=now - 600 + 60 * s)) for s in range(5)])
    again = c.process([parsed(state(seq=2, t=now - 600 + 120)), parsed(state(seq=3, t=now - 600 + 180))])
    assert len(first) == 5 and again == []
    assert store.counters() == {"a": (2, 0)}
    assert c.ingested == 5
    assert len(store.history("co2", 0)["a"][0]) == 5


def test_a_reused_seq_with_other_content_is_a_counter_restart_not_a_duplicate(store):
    c = Collector(store, LiveState())
    now = int(time.time())
    c.process([parsed(state(seq=s, t=now - 3000 + 60 * s)) for s in range(10)])
    c.process([parsed(state(seq=s, t=now - 300 + 60 * s, co2=500)) for s in range(3)])  # outbox wiped
    assert store.counters() == {"a": (0, 1)}
    assert len(store.history("co2", 0)["a"][0]) == 13
    assert store.gaps(0) == {"a": (13, 0)}  # two generations, each without a gap


def test_seq_gaps_count_missing_readings(store):
    c = Collector(store, LiveState())
    now = int(time.time())
    c.process([parsed(state(seq=s, t=now - 900 + 60 * s)) for s in (0, 1, 2, 5, 6, 9)])
    assert store.gaps(0) == {"a": (6, 4)}
    assert store.interval("a") == 60


def test_lorawan_seq_is_unwrapped_before_deduplication(store):
    c = Collector(store, LiveState())
    base = int(time.time()) - 400 * 60
    body = lambda seq: json.dumps({"uplink_message": {"decoded_payload": {  # noqa: E731
        "seq": seq % 256, "readings": {"co2": {"value": 400 + seq, "unit": "ppm"}}}},
        "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + 60 * seq))}).encode()
    items = [wire.parse("v3/app@ttn/devices/lora-1/up", body(seq)) for seq in range(250, 262)]
    items.append(wire.parse("v3/app@ttn/devices/lora-1/up", body(261)))  # a copy after the wrap
    c.process(items)
    assert sorted(s for (s,) in store.db().execute("SELECT seq FROM readings")) == list(range(250, 262))
    assert store.counters()["lora-1"] == (1, 0)


def test_retention_deletes_old_readings_only(store):
    now = time.time()
    store.ingest([parsed(state(seq=1, t=int(now - 2 * 86400))), parsed(state(seq=2, t=int(now - 60)))])
    assert store.prune(now) == 1
    assert store.db().execute("SELECT seq FROM readings").fetchall() == [(2,)]
    assert store.db().execute("SELECT count(*) FROM samples").fetchone()[0] == 3


def test_database_is_wal_private_and_versioned(store, tmp_path):
    assert store.db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.path.stat().st_mode & 0o077 == 0
    assert store.db().execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == str(SCHEMA_VERSION)
    db = sqlite3.connect(store.path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    from reallabor.errors import ReallaborError

    with pytest.raises(ReallaborError) as e:
        Store(store.path)
    assert e.value.key == "live.db_version"


def test_live_state_survives_a_restart(store):
    c = Collector(store, LiveState())
    now = int(time.time())
    c.process([parsed(state(seq=s, t=now - 900 + 60 * s, co2=600 + 30 * s)) for s in range(15)])
    c.process([wire.parse("reallabor/hof/a/status", b'{"state":"online","dropped":0}')])
    fresh = Collector(store, LiveState())
    fresh.seed()
    (entry,) = fresh.state.snapshot()
    co2 = next(v for v in entry["values"] if v["quantity"] == "co2")
    assert (entry["seq"], co2["value"], co2["trend"], entry["status"]["state"]) == (14, 1020.0, "up", "online")


# --- bands, lines, trends ------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, value, word", [
    ("co2", 420, "live.band.co2.good"), ("co2", 999, "live.band.co2.good"), ("co2", 1000, "live.band.co2.moderate"),
    ("co2", 2000, "live.band.co2.moderate"), ("co2", 2001, "live.band.co2.poor"),
    ("pm2_5", 5, "live.band.pm.very_good"), ("pm2_5", 5.4, "live.band.pm.very_good"), ("pm2_5", 6, "live.band.pm.good"),
    ("pm2_5", 15, "live.band.pm.good"), ("pm2_5", 16, "live.band.pm.moderate"), ("pm2_5", 30, "live.band.pm.moderate"),
    ("pm2_5", 31, "live.band.pm.poor"), ("pm2_5", 50, "live.band.pm.poor"), ("pm2_5", 51, "live.band.pm.very_poor"),
    ("pm10", 9, "live.band.pm.very_good"), ("pm10", 10, "live.band.pm.good"), ("pm10", 27, "live.band.pm.good"),
    ("pm10", 28, "live.band.pm.moderate"), ("pm10", 54, "live.band.pm.moderate"), ("pm10", 55, "live.band.pm.poor"),
    ("pm10", 90, "live.band.pm.poor"), ("pm10", 91, "live.band.pm.very_poor"),
])
def test_bands_follow_the_guide_values(quantity, value, word):
    assert quantities.band(quantity, value).word == word


def test_who_lines_and_no_band_for_temperature():
    assert quantities.GUIDE_LINES["pm2_5"][0][0] == 15 and quantities.GUIDE_LINES["pm10"][0][0] == 45
    assert quantities.band("temperature", 30) is None
    assert [quantities.trend("co2", 800 + d, 800) for d in (-90, -45, 0, 45, 90)] == \
        ["down", "falling", "steady", "rising", "up"]
    assert quantities.trend("co2", 800, None) is None


# --- the fleet -----------------------------------------------------------------------------------

def test_fleet_rows_put_problems_first_and_name_them(store):
    c = Collector(store, LiveState())
    now = time.time()
    c.process([parsed(state("ok-node", seq=s, t=int(now - 300 + 60 * s)), "ok-node") for s in range(5)])
    c.process([parsed(state("sick", seq=s, t=int(now - 300 + 60 * s), health={"scd4x": "ok", "sht4x": "absent"},
                            node={"battery_mv": 3300, "rssi_dbm": -88, "reset": "watchdog"}), "sick")
               for s in (0, 1, 4)])
    c.process([wire.parse("reallabor/hof/gone/status", b'{"state":"offline"}')])
    c.process([wire.parse("reallabor/hof/late/status", json.dumps({"state": "sleeping", "wake": int(now - 600)}).encode())])
    roster = {d: fleetview.Device(d, d.title(), "hof") for d in ("ok-node", "sick", "gone", "late", "spare")}
    app = live_app.LiveApp(store, roster)
    app.state = c.state
    rows = app.fleet_rows()
    by = {r["device"]: r for r in rows}
    assert [r["device"] for r in rows][:2] == ["gone", "late"] and rows[-1]["device"] == "ok-node"
    assert by["ok-node"]["problems"] == [] and by["ok-node"]["state"] == "online"
    keys = {p["key"] for p in by["sick"]["problems"]}
    assert keys == {"live.problem.sensor", "live.problem.missing", "live.problem.battery", "live.problem.signal",
                    "live.problem.watchdog"}
    assert by["sick"]["missing"] == 2 and by["sick"]["battery_mv"] == 3300
    assert by["spare"]["state"] == "never" and by["late"]["state"] == "late"
    assert by["gone"]["state"] == "offline"


# --- texts ---------------------------------------------------------------------------------------

def test_every_health_has_words_and_every_page_key_exists():
    for health in wire.HEALTHS:
        assert f"health.word.{health}" in CATALOG, health
    used = set()
    for path in STATIC.glob("*.js"):
        used |= set(re.findall(r"""["'](live\.[a-z0-9_.]+|health\.word\.)["']""", path.read_text()))
    for path in STATIC.glob("*.html"):
        used |= set(re.findall(r'data-(?:t|marker)="([a-z0-9_.]+)"', path.read_text()))
    used.discard("health.word.")
    assert len(used) > 40
    assert sorted(k for k in used if k not in CATALOG and not k.endswith(".")) == []
    for q in quantities.ORDER:
        assert f"live.quantity.{q}" in CATALOG
    for bands in quantities.BANDS.values():
        assert all(b.word in CATALOG for b in bands)


def test_the_page_loads_nothing_from_elsewhere():
    for path in list(STATIC.glob("*.html")) + list(STATIC.glob("*.js")) + list(STATIC.glob("*.css")):
        text = path.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert "url(http" not in text and "@import" not in text, path
    vendored = STATIC / "vendor" / "uPlot.iife.min.js"
    assert vendored.stat().st_size > 40_000 and "MIT" in (STATIC / "vendor" / "uPlot.LICENSE").read_text()
    npm = ROOT / "node_modules" / "uplot" / "dist" / "uPlot.iife.min.js"
    if npm.exists():  # the committed copy is the npm package's file, byte for byte
        assert npm.read_bytes() == vendored.read_bytes()


# --- the server ----------------------------------------------------------------------------------

@pytest.fixture
def server(store):
    roster = {"a": fleetview.Device("a", "Werkbank A", "hof")}
    app = live_app.LiveApp(store, roster, listen=("127.0.0.1", 0)).start()
    yield app
    app.stop()


def get(app, path):
    with urllib.request.urlopen(app.url.rstrip("/") + path, timeout=10) as r:
        return r.status, r.headers, r.read()


def test_event_stream_starts_with_a_snapshot_then_sends_each_reading(server):
    server.collector.put(parsed(state(seq=1, co2=950)))
    deadline = time.time() + 5
    while server.collector.ingested < 1 and time.time() < deadline:
        time.sleep(0.01)
    with urllib.request.urlopen(server.url + "api/events", timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        lines = iter(stream)
        assert next(lines) == b"retry: 1000\n"
        next(lines)
        assert next(lines) == b"event: snapshot\n"
        snap = json.loads(next(lines)[6:])
        assert [(d["device"], d["name"], d["seq"]) for d in snap["devices"]] == [("a", "Werkbank A", 1)]
        server.collector.put(parsed(state(seq=2, co2=1050)))
        next(lines)
        assert next(lines) == b"event: reading\n"
        event = json.loads(next(lines)[6:])
    co2 = next(v for v in event["values"] if v["quantity"] == "co2")
    assert (event["seq"], event["name"], co2["band"]["word"]) == (2, "Werkbank A", "live.band.co2.moderate")


def test_history_export_markers_and_static_files(server):
    now = int(time.time())
    server.collector.process([parsed(state(seq=s, t=now - 300 + 60 * s, co2=700 + s)) for s in range(5)])
    status, _, body = get(server, f"/api/history?quantity=co2&since={now - 1800}")
    assert json.loads(body)["series"]["a"][1] == [700, 701, 702, 703, 704]
    status, headers, body = get(server, f"/api/export?format=csv&from={now - 3600}&to={now}")
    rows = body.decode().splitlines()
    assert rows[0] == "time,device,name,seq,sensor,quantity,value,unit"
    assert len(rows) == 1 + 5 * 3 and ",a,Werkbank A,0,scd4x,co2,700,ppm" in rows[1]
    assert "attachment" in headers["Content-Disposition"]
    data = json.loads(get(server, f"/api/export?format=json&from={now - 3600}&to={now}")[2])
    assert data["readings"][0]["readings"]["scd4x"]["co2"] == {"value": 700, "unit": "ppm"}
    request = urllib.request.Request(server.url + "api/markers", data=json.dumps({"text": "Fenster auf"}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as r:
        assert json.loads(r.read())["text"] == "Fenster auf"
    assert [m["text"] for m in json.loads(get(server, f"/api/history?since={now - 600}")[2])["markers"]] == ["Fenster auf"]
    for path in ("/", "/projector", "/fleet", "/static/vendor/uPlot.iife.min.js", "/static/live.js", "/qr.svg"):
        assert get(server, path)[0] == 200
    texts = json.loads(get(server, "/api/texts?lang=en")[2])
    assert texts["live.band.co2.moderate"] == "moderate, open a window" and "health.word.absent" in texts
    with pytest.raises(urllib.error.HTTPError) as e:
        get(server, "/api/export?from=yesterday")
    assert e.value.code == 400


# --- the commands --------------------------------------------------------------------------------

def test_bad_options_are_messages_not_tracebacks(cli, data_dir):
    done = cli("live", "--listen", "8080")
    assert done.returncode == 2 and "--listen 8080 nicht verstanden" in done.stderr
    done = cli("live", "--broker", "mqtt://live@127.0.0.1:1", "--lang", "en")
    assert done.returncode == 2 and "No password for the account live" in done.stderr
    done = cli("monitor", "--broker", "mqtt://nobody@127.0.0.1:1")
    assert done.returncode == 2 and "Kein Passwort für das Konto nobody" in done.stderr
    done = cli("live", "--demo", "--broker", "mqtt://127.0.0.1:1883")
    assert done.returncode == 2
    done = cli("live", "--demo", "--speed", "max")
    assert done.returncode == 2 and "für die Demo realtime oder ein Faktor" in done.stderr
    done = cli("live", "--keep", "0")
    assert done.returncode == 2 and "--keep 0" in done.stderr
    done = cli("live", "--broker", "mqtt://127.0.0.1:1", "--listen", "127.0.0.1:0", "--lang", "en")
    assert done.returncode == 1 and "is not reachable" in done.stderr


def test_port_in_use_is_a_message(cli, data_dir):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        done = cli("live", "--broker", "mqtt://127.0.0.1:1", "--listen", f"127.0.0.1:{port}", "--lang", "en")
    assert done.returncode == 2 and f"Port {port} on 127.0.0.1 is in use" in done.stderr


def test_an_older_inventory_gets_the_discovery_column(data_dir):
    db = sqlite3.connect(data_dir / "inventory.sqlite")
    db.execute("CREATE TABLE devices (mac, id, name, board, site, prefix, firmware, config_hash, time, mqtt_user,"
               " mqtt_hash, dev_eui, join_eui, app_key, frequency_plan, PRIMARY KEY (mac))")
    db.execute("INSERT INTO devices VALUES ('m', 'rl-1', 'Hof 1', 'b', 'hof', 'reallabor', '', '', '', 'rl-1', 'h',"
               " '', '', '', '')")
    db.commit()
    db.close()
    (data_dir / "inventory.sqlite").chmod(0o600)
    roster = fleetview.load_roster(data_dir, "hof")
    assert roster["rl-1"].name == "Hof 1" and roster["rl-1"].discovery is False
