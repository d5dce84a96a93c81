"""verify proves delivery against a real Mosquitto with the exported password file and ACL: a
read-only account sees the node's state message (and, with discovery on, its discovery configs);
without --broker it reads the site profile's broker as REALLABOR_BROKER_USER. Each failure has its
cause in words: a stale password file after `provision --new-secrets`, a broker that cannot be
reached, no wall time for TLS, an ACL that drops discovery, a reader the broker refuses. Several
ports at once, like every other command."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from reallabor.fleet.exports import mosquitto_hash
from reallabor.mqtt.mosquitto import Mosquitto, free_port

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "traces" / "courtyard-2h-bmp280.jsonl"  # its BMP280 answers on i2c0: discovery has a sensor
BOARD = "esp32-devkitc"
READER, READER_PASSWORD = "reader", "lese-Passwort-42"


class Broker:
    """Mosquitto with the exported password file and ACL, plus a read-only account (which a
    colleague's `export mosquitto` will write too; here the test adds it)."""

    def __init__(self, tmp_path: Path, data: Path, cli, extra_acl: str = ""):
        self.port = free_port()
        self.passwd = tmp_path / "broker" / "passwd"
        self.cli, self.extra_acl, self.server = cli, extra_acl, None
        secret = data / "broker" / f"{READER}.password"
        secret.parent.mkdir(mode=0o700, exist_ok=True)
        secret.write_text(READER_PASSWORD + "\n")
        secret.chmod(0o600)

    @property
    def url(self) -> str:
        return f"mqtt://{READER}@127.0.0.1:{self.port}"

    def export(self) -> None:
        done = self.cli("export", "mosquitto", "--out", self.passwd)
        assert done.returncode == 0, done.stderr
        with open(self.passwd, "a") as f:
            f.write(f"{READER}:{mosquitto_hash(READER_PASSWORD)}\n")
        with open(self.passwd.with_suffix(".acl"), "a") as f:
            f.write(f"\nuser {READER}\ntopic read reallabor/#\ntopic read homeassistant/#\n{self.extra_acl}")

    def start(self) -> "Broker":
        extra = f"allow_anonymous false\npassword_file {self.passwd}\nacl_file {self.passwd.with_suffix('.acl')}\n"
        self.server = Mosquitto(extra + ("user root\n" if os.geteuid() == 0 else ""), port=self.port).start()
        return self

    def reload(self) -> None:
        self.server.process.send_signal(signal.SIGHUP)  # what `systemctl reload mosquitto` does
        time.sleep(0.5)

    def stop(self) -> None:
        if self.server:
            self.server.stop()


@pytest.fixture
def acl_broker(tmp_path, data_dir, cli):
    made = []

    def make(**kw):
        made.append(Broker(tmp_path, data_dir, cli, **kw))
        return made[-1]

    yield make
    for b in made:
        b.stop()


def ready(cli, site_profile, data_dir, broker, boards, discovery=False, **site):
    path = site_profile(data_dir, broker=f"mqtt://127.0.0.1:{broker.port}", **site)
    if discovery:
        profile = json.loads(path.read_text())
        profile["mqtt"]["discovery"] = True
        path.write_text(json.dumps(profile))
    for vb in boards:
        assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
        done = cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof")
        assert done.returncode == 0, done.stderr


def verify(cli, *ports, broker=None, seconds=None):
    args = [a for p in ports for a in ("--port", p)]
    args += ["--broker", broker.url] if broker else []
    args += ["--delivery-seconds", str(seconds)] if seconds else []
    return cli("verify", *args, "--lang", "en")


def test_delivery_and_a_stale_password_file_after_new_secrets(virtual_board, data_dir, cli, site_profile, acl_broker):
    vb = virtual_board(mac="02:00:00:00:66:01", env={"RL_TRACE": str(TRACE)})
    broker = acl_broker()
    ready(cli, site_profile, data_dir, broker, [vb])
    broker.export()
    broker.start()
    done = verify(cli, vb.port, broker=broker)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[ok] delivery     reallabor/hof/rl-006601/state reached the reader after" in done.stdout

    rotated = cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof", "--new-secrets", "--lang", "en")
    assert rotated.returncode == 0 and "New broker password for rl-006601" in rotated.stdout
    started = time.monotonic()
    stale = verify(cli, vb.port, broker=broker)
    assert stale.returncode == 1
    assert time.monotonic() - started < 25  # "not authorised" does not wait out the 30 s
    assert "[!!] delivery     the broker refuses rl-006601 (connection refused: not authorised)" in stale.stdout
    assert "the password file of the export of" in stale.stdout and "has an older password" in stale.stdout
    assert "Run reallabor export mosquitto --out FILE and reload the broker" in stale.stdout

    broker.export()
    broker.reload()
    fixed = verify(cli, vb.port, broker=broker)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    secret = (vb.flash / "config.json").read_text().split('"password":"')[1].split('"')[0]
    for r in (done, stale, fixed):
        assert secret not in r.stdout + r.stderr and READER_PASSWORD not in r.stdout + r.stderr


def test_discovery_must_be_accepted_too(virtual_board, data_dir, cli, site_profile, acl_broker):
    vb = virtual_board(mac="02:00:00:00:66:02", env={"RL_TRACE": str(TRACE)})
    broker = acl_broker()
    ready(cli, site_profile, data_dir, broker, [vb], discovery=True)
    broker.export()  # lets a device that announces itself write its Home Assistant configs
    acl = broker.passwd.with_suffix(".acl")
    exported = acl.read_text()
    # an ACL from an export before the device had discovery: only reallabor/hof/rl-006602/#
    acl.write_text("".join(line for line in exported.splitlines(True) if "homeassistant/sensor/rl-006602" not in line))
    broker.start()
    dropped = verify(cli, vb.port, broker=broker, seconds=15)
    assert dropped.returncode == 1, dropped.stdout
    assert "[!!] delivery     the state arrived, but" in dropped.stdout and "discovery config" in dropped.stdout
    assert "the ACL must let rl-006602 write homeassistant/sensor/rl-006602/#" in dropped.stdout
    acl.write_text(exported)
    broker.reload()
    accepted = verify(cli, vb.port, broker=broker)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    # BMP280: temperature and pressure; the node's diagnostics: battery, RSSI, uptime, free heap
    assert "and 6 discovery configs" in accepted.stdout


def test_causes_in_words_unreachable_no_time_refused_reader(virtual_board, data_dir, cli, site_profile, acl_broker,
                                                            broker):
    vb = virtual_board(mac="02:00:00:00:66:03")
    site_profile(data_dir, sensors=[])  # its broker mqtt://127.0.0.1:1: nobody listens there
    assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
    assert cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof").returncode == 0
    unreachable = cli("verify", "--port", vb.port, "--broker", broker.url, "--delivery-seconds", "6", "--lang", "en")
    assert unreachable.returncode == 1
    assert "[!!] delivery     the device cannot reach its broker mqtt://127.0.0.1:1 ([Errno 111] ECONNREFUSED)" in unreachable.stdout

    no_time = virtual_board(mac="02:00:00:00:66:04", env={"RL_NTP_DOWN": "1"})
    site_profile(data_dir, name="tls", broker="mqtts://127.0.0.1:8883", sensors=[])
    assert cli("deploy", "--port", no_time.port, "--board", BOARD).returncode == 0
    assert cli("provision", "--port", no_time.port, "--board", BOARD, "--site", "tls").returncode == 0
    waited = cli("verify", "--port", no_time.port, "--broker", broker.url, "--delivery-seconds", "6", "--lang", "en")
    assert waited.returncode == 1
    assert "[!!] delivery     no time for TLS: time server pool.ntp.org does not answer the device" in waited.stdout

    locked = acl_broker()
    locked.export()
    locked.start()
    (data_dir / "broker" / f"{READER}.password").write_text("falsch\n")
    refused = cli("verify", "--port", vb.port, "--broker", locked.url, "--lang", "en")
    assert refused.returncode == 1
    assert f"broker mqtt://127.0.0.1:{locked.port} refuses the reader reader" in refused.stdout


def test_several_ports_at_once(virtual_board, data_dir, cli, site_profile, acl_broker):
    boards = [virtual_board(mac=f"02:00:00:00:66:1{i}") for i in range(3)]
    broker = acl_broker()
    ready(cli, site_profile, data_dir, broker, boards, sensors=[])
    broker.export()
    broker.start()
    # no --broker: the site profile's broker, as the account REALLABOR_BROKER_USER names
    done = cli("verify", *[a for vb in boards for a in ("--port", vb.port)], "--lang", "en",
               env={"REALLABOR_BROKER_USER": READER})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].split() == ["port", "result", "checks", "failed", "delivered"]
    for vb in boards:
        assert [vb.port, "ok", "0", "yes"] == next(l for l in done.stdout.splitlines() if l.startswith(vb.port)).split()
        assert f"[ok] delivery     reallabor/hof/rl-0066{vb.mac[-2:]}/state reached the reader" in done.stdout
    assert "3 succeeded, 0 failed." in done.stdout
    assert done.stdout.count("[ok] delivery") == 3
