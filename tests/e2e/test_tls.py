"""TLS against a real Mosquitto with a test CA this test creates: the firmware verifies the
broker's certificate against the CA on its flash and against the host name; a wrong CA or name
means no connection (and no crash: the readings wait in the outbox)."""

import datetime
import ipaddress
import tempfile
from pathlib import Path

import pytest

from reallabor.sim import replay
from reallabor.mqtt.mosquitto import Mosquitto, free_port
from reallabor.env import TRACES

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

TRACE = TRACES / "courtyard-2h-bmp280.jsonl"


def pem(obj) -> bytes:
    if hasattr(obj, "private_bytes"):
        return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption())
    return obj.public_bytes(serialization.Encoding.PEM)


def make_ca(name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return key, cert


def make_server_cert(ca_key, ca_cert, san):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "broker")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([san]), critical=False).sign(ca_key, hashes.SHA256()))
    return key, cert


@pytest.fixture
def tls_broker():
    """A Mosquitto with a plain listener (for the subscriber) and a TLS listener (for the device)."""
    yield from tls_mosquitto(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))


def tls_mosquitto(san):
    ca_key, ca = make_ca("reallabor test CA")
    key, cert = make_server_cert(ca_key, ca, san)
    with tempfile.TemporaryDirectory(prefix="reallabor-tls-") as tmp:
        yield from _broker(Path(tmp), ca, cert, key)


def _broker(tmp_path, ca, cert, key):
    tmp_path.chmod(0o755)  # Mosquitto started as root runs as its own user: it must read these
    for name, data in (("ca.pem", pem(ca)), ("server.pem", pem(cert)), ("server.key", pem(key))):
        (tmp_path / name).write_bytes(data)
        (tmp_path / name).chmod(0o644)
    tls_port = free_port()
    extra = (f"listener {tls_port} 127.0.0.1\ncafile {tmp_path}/ca.pem\ncertfile {tmp_path}/server.pem\n"
             f"keyfile {tmp_path}/server.key\n")
    with Mosquitto(extra) as broker:
        yield broker, f"mqtts://127.0.0.1:{tls_port}", pem(ca)


def config(url):
    return {"site": "tls", "interval_s": 60, "sensors": [{"type": "bmp280"}], "mqtt": {"url": url}}


def test_tls_with_the_right_ca(tls_broker):
    broker, url, ca = tls_broker
    result = replay.run(TRACE, broker_url=broker.url, config=config(url), files={"ca.pem": ca})
    assert result.returncode == 0 and not result.warnings
    assert [m.payload["seq"] for m in result.states] == list(range(120))
    assert result.heap_peak < result.heap_total == 128 * 1024  # the firmware's live heap within its budget


def test_tls_with_another_ca_or_name_never_connects(tls_broker):
    broker, url, _ = tls_broker
    _, other_ca = make_ca("someone else")
    for files, url_used in (({"ca.pem": pem(other_ca)}, url), ({}, url)):
        result = replay.run(TRACE, broker_url=broker.url, config=config(url_used), files=files)
        assert result.returncode == 0 and result.states == []
        assert len(result.sampled) == 120  # sampled and kept for later
        assert any("connect failed" in w for w in result.warnings)


def test_tls_certificate_for_another_name_is_refused():
    # signed by the right CA, but for broker.example, not for 127.0.0.1
    for broker, url, ca in tls_mosquitto(x509.DNSName("broker.example")):
        result = replay.run(TRACE, broker_url=broker.url, config=config(url), files={"ca.pem": ca})
        assert result.returncode == 0 and result.states == [] and len(result.sampled) == 120
        assert any("does not match" in w for w in result.warnings)
