"""The CLI as a technician meets it: clear messages and exit codes, never a Python traceback."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "traces" / "courtyard-24h-bme280.jsonl"




def test_validate_reports_lines_and_fails(tmp_path, cli):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SAMPLE.read_text().splitlines()[0] + "\n{\"t\": 0, \"bus\": \"i2c0\"}\nnot json\n")
    done = cli("trace", "validate", str(bad))
    assert done.returncode == 2
    assert "Zeile 2:" in done.stdout and "Zeile 3: kein JSON" in done.stdout
    assert "kein gültiger Trace (2 Probleme)" in done.stderr


def test_validate_and_info_on_a_good_trace(cli):
    done = cli("trace", "validate", str(SAMPLE), "--lang", "en")
    assert done.returncode == 0 and "valid" in done.stdout
    done = cli("trace", "info", str(SAMPLE))
    assert done.returncode == 0 and "1447 Einträge" in done.stdout


def test_locale_picks_english(cli):
    done = cli("replay", "no/such/trace.jsonl", lang="en_GB.UTF-8")
    assert done.returncode == 2
    assert done.stderr.startswith("reallabor: Trace file no/such/trace.jsonl not found")


def test_missing_trace_in_german(cli):
    done = cli("replay", "no/such/trace.jsonl")
    assert done.returncode == 2
    assert "nicht gefunden" in done.stderr and "traces/" in done.stderr


def test_corrupt_config_names_the_field(tmp_path, cli):
    cfg = tmp_path / "config.json"
    cfg.write_text('{"interval_s": 60, "sensors": [{"type": "bme280", "addr": "0x76"}]}')
    done = cli("replay", str(SAMPLE), "--config", str(cfg), "--lang", "en")
    assert done.returncode == 2
    assert 'field "sensors[0].addr" has the wrong type (expected: whole number)' in done.stderr
    cfg.write_text('{"interval_s": 60,')
    done = cli("replay", str(SAMPLE), "--config", str(cfg))
    assert done.returncode == 2 and "kein gültiges JSON" in done.stderr
    cfg.write_text('{"sensors": [{"type": "dht22"}]}')
    done = cli("replay", str(SAMPLE), "--config", str(cfg), "--lang", "en")
    assert "choose from: bme280, bmp280, sht4x, sht3x, scd4x, scd30, sps30, sds011, pms5003, bh1750" in done.stderr


def test_bad_options(cli):
    assert "--speed fast" in cli("replay", str(SAMPLE), "--speed", "fast", "--lang", "en").stderr
    assert cli("replay", str(SAMPLE), "--heap", "lots").returncode == 2


def test_missing_sensor_is_explained(cli):
    done = cli("replay", str(ROOT / "traces" / "missing-sensor-bme280.jsonl"), "--lang", "en")
    assert done.returncode == 0
    assert "sensor errors: 61" in done.stdout
    assert "sensor bme280: absent in 61 cycles. It does not answer on the bus: check wiring" in done.stderr


def test_firmware_crash_shows_the_micropython_traceback(cli):
    done = cli("replay", str(SAMPLE), "--heap", "16K", "--lang", "en", device_traceback=True)
    assert done.returncode == 1
    assert "The firmware crashed" in done.stderr and "MemoryError" in done.stderr


def test_replay_table_out_and_plot(tmp_path, cli):
    out, png = tmp_path / "out.jsonl", tmp_path / "day.png"
    done = cli("replay", str(SAMPLE), "--table", "60", "--out", str(out), "--plot", str(png))
    assert done.returncode == 0, done.stderr
    rows = [l for l in done.stdout.splitlines() if l[:2].isdigit() and l[2] == ":"]
    assert len(rows) == 24 and rows[0].startswith("00:00") and rows[-1].startswith("23:00")
    assert "Zyklen: 1440, Nachrichten: 1442, Sensorfehler: 0" in done.stdout
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(lines) == 1442 and set(lines[1]) == {"t", "topic", "payload"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
