"""provision and verify end to end on virtual boards; secrets never reach the output."""

from pathlib import Path
import json
import os
import sqlite3
import stat

ROOT = Path(__file__).resolve().parents[2]


TRACE = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"  # its BMP280 answers on the virtual i2c0


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_deploy_provision_verify_without_leaking_secrets(virtual_board, data_dir, cli, site_profile, broker):
    vb = virtual_board(mac="24:6f:28:a1:b2:c3", env={"RL_TRACE": str(TRACE)})
    site_profile(data_dir, broker=broker.url)
    runs = [
        cli("deploy", "--port", vb.port, "--board", "ttgo-lora32-v2.1", "--lang", "en"),
        cli("provision", "--port", vb.port, "--board", "ttgo-lora32-v2.1", "--site", "hof", "--name", "Hof 1",
                  "--lang", "en"),
        cli("verify", "--port", vb.port, "--lang", "en"),
        cli("export", "mosquitto", "--out", data_dir.parent / "out" / "passwd", "--lang", "en"),
        cli("export", "tts", "--out", data_dir.parent / "out" / "tts.csv", "--lang", "en"),
    ]
    for r in runs:
        assert r.returncode == 0, r.stdout + r.stderr
    assert 'rl-a1b2c3 "Hof 1" (MAC 24:6f:28:a1:b2:c3, ttgo-lora32-v2.1) ready; config' in runs[1].stdout
    report = runs[2].stdout
    for line in ("[ok] boot", "[ok] files", "[ok] board", "[ok] config", "[ok] sensors      air: ok",
                 "[ok] delivery     reallabor/hof/rl-a1b2c3/state reached the reader"):
        assert line in report, report
    assert "as in the inventory" in report and "The board on" in report

    config = json.loads((vb.flash / "config.json").read_text())
    assert config["device"] == "rl-a1b2c3" and config["mqtt"]["user"] == "rl-a1b2c3"
    assert config["lora"]["dev_eui"] == "246F28FFFEA1B2C3"
    secrets = [config["mqtt"]["password"], config["lora"]["app_key"], config["wifi"]["password"]]
    assert len(config["mqtt"]["password"]) >= 32 and len(config["lora"]["app_key"]) == 32
    output = "".join(r.stdout + r.stderr for r in runs)
    for secret in secrets:
        assert secret not in output
        assert secret.lower() not in output.lower()

    copy = data_dir / "devices" / "rl-a1b2c3" / "config.json"
    assert json.loads(copy.read_text()) == config
    assert mode(copy) == 0o600 and mode(data_dir / "inventory.sqlite") == 0o600
    assert mode(data_dir.parent / "out" / "passwd") == 0o600 and mode(data_dir.parent / "out" / "tts.csv") == 0o600
    db = sqlite3.connect(data_dir / "inventory.sqlite")
    dump = "\n".join(db.iterdump())
    row = db.execute("SELECT id, name, board, site, firmware FROM devices WHERE mac = '24:6f:28:a1:b2:c3'").fetchone()
    db.close()
    assert config["mqtt"]["password"] not in dump and config["wifi"]["password"] not in dump  # only a hash
    manifest = json.loads((vb.flash / "firmware.json").read_text())
    assert row[:4] == ("rl-a1b2c3", "Hof 1", "ttgo-lora32-v2.1", "hof") and row[4] == manifest["firmware"]


def test_provisioning_again_keeps_secrets_unless_asked(virtual_board, data_dir, cli, site_profile):
    vb = virtual_board()
    site_profile(data_dir)
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    args = ("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof", "--lang", "en")
    assert cli(*args).returncode == 0
    first = (vb.flash / "config.json").read_bytes()
    again = cli(*args)
    assert "unchanged" in again.stdout and (vb.flash / "config.json").read_bytes() == first
    rotated = cli(*args, "--new-secrets")
    assert rotated.returncode == 0 and "written" in rotated.stdout
    assert json.loads((vb.flash / "config.json").read_text())["mqtt"]["password"] != json.loads(first)["mqtt"]["password"]
    assert "lora" not in json.loads(first)  # no radio on a DevKitC


def test_verify_finds_a_broken_board(virtual_board, data_dir, cli, site_profile):
    vb = virtual_board()
    site_profile(data_dir, sensors=[{"type": "bme280", "name": "inside"}])
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    assert cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof").returncode == 0
    (vb.flash / "lib/node/clock.mpy").write_bytes(b"M\x06broken")
    done = cli("verify", "--port", vb.port, "--lang", "en")
    assert done.returncode == 1 and "is not ready" in done.stderr
    assert "[!!] boot" in done.stdout  # the broken module crashes the app at start
    assert "[!!] files" in done.stdout and "changed: lib/node/clock.mpy" in done.stdout


def test_verify_reports_absent_sensor_and_foreign_config(virtual_board, data_dir, cli, site_profile):
    vb = virtual_board()  # no trace: nothing answers on the bus
    site_profile(data_dir)
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    assert cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof").returncode == 0
    done = cli("verify", "--port", vb.port, "--lang", "en")
    assert done.returncode == 1 and "[!!] sensors      air: absent" in done.stdout, done.stdout
    config = json.loads((vb.flash / "config.json").read_text())
    config["device"] = "rl-ffffff"
    (vb.flash / "config.json").write_text(json.dumps(config))
    done = cli("verify", "--port", vb.port, "--lang", "en")
    assert "[!!] config" in done.stdout and "belongs to rl-ffffff" in done.stdout, done.stdout


def test_provision_errors(virtual_board, data_dir, cli, site_profile):
    vb = virtual_board()
    site = site_profile(data_dir)
    fresh = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof", "--lang", "en")
    assert fresh.returncode == 1 and "no reallabor firmware" in fresh.stderr and "reallabor deploy" in fresh.stderr
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    other = cli("provision", "--port", vb.port, "--board", "tbeam", "--site", "hof", "--lang", "en")
    assert other.returncode == 1 and "deployed as esp32-devkitc, not tbeam" in other.stderr
    missing = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "wald")
    assert missing.returncode == 2 and "Standortprofil \"wald\" nicht gefunden" in missing.stderr
    os.chmod(site, 0o644)
    open_ = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof", "--lang", "en")
    assert open_.returncode == 2 and "chmod 600" in open_.stderr
    os.chmod(site, 0o600)
    site_profile(data_dir, broker="http://example.org")
    bad = cli("provision", "--port", vb.port, "--board", "esp32-devkitc", "--site", "hof", "--lang", "en")
    assert bad.returncode == 2 and 'field "mqtt.url"' in bad.stderr and "wifi-Geheimnis" not in bad.stderr
    for r in (fresh, other, missing, open_, bad):
        assert "Traceback" not in r.stderr
