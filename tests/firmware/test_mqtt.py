# Byte-exact MQTT 3.1.1 packets (OASIS spec chapter 3) on an in-memory socket.
from node.net import mqtt
from support import MemorySocket, raises


def test_remaining_length_encoding():
    # spec 2.2.3 table 2.4 boundaries
    assert mqtt._remaining_length(0) == b"\x00"
    assert mqtt._remaining_length(127) == b"\x7f"
    assert mqtt._remaining_length(128) == b"\x80\x01"
    assert mqtt._remaining_length(16383) == b"\xff\x7f"
    assert mqtt._remaining_length(16384) == b"\x80\x80\x01"
    assert mqtt._remaining_length(2097152) == b"\x80\x80\x80\x01"


def test_connect_with_will():
    will = ("a/status", '{"state":"offline"}', True)
    p = mqtt.connect_packet("n1", 60, will=will)
    body = (b"\x00\x04MQTT\x04\x26\x00\x3c" + b"\x00\x02n1" + b"\x00\x08a/status"
            + b"\x00\x13" + b'{"state":"offline"}')
    assert p == b"\x10" + bytes((len(body),)) + body


def test_connect_with_credentials():
    p = mqtt.connect_packet("dev", 30, user="u", password="pw")
    body = b"\x00\x04MQTT\x04\xc2\x00\x1e\x00\x03dev\x00\x01u\x00\x02pw"
    assert p == b"\x10" + bytes((len(body),)) + body


def test_publish_qos0():
    assert mqtt.publish_packet("a/b", "hi") == b"\x30\x07\x00\x03a/bhi"
    assert mqtt.publish_packet("a/b", b"hi", retain=True) == b"\x31\x07\x00\x03a/bhi"
    big = mqtt.publish_packet("t", "x" * 200)
    assert big[:3] == b"\x30\xcb\x01"  # 203 = 0x4b | 0x80, 0x01


def test_connack():
    mqtt.check_connack(b"\x20\x02\x00\x00")
    e = raises(mqtt.MQTTError, mqtt.check_connack, b"\x20\x02\x00\x05")
    assert "not authorised" in str(e)
    for bad in (b"", b"\x20\x03\x00\x00", b"\x30\x02\x00\x00", b"\x20\x02"):
        raises(mqtt.MQTTError, mqtt.check_connack, bad)


def test_client_session():
    sock = MemorySocket(b"\x20\x02\x00\x00")
    opened = []

    def open_tcp(host, port, tls, timeout_ms):
        opened.append((host, port, tls))
        return sock

    c = mqtt.MQTTClient(open_tcp, "broker", 1883, "n1", keepalive_s=60)
    c.connect()
    assert opened == [("broker", 1883, False)] and c.connected
    c.publish("a/b", "hi")
    c.disconnect()
    assert bytes(sock.sent) == mqtt.connect_packet("n1", 60) + b"\x30\x07\x00\x03a/bhi" + b"\xe0\x00"
    assert sock.closed and not c.connected


def test_refused_connection_closes_the_socket():
    sock = MemorySocket(b"\x20\x02\x00\x04")
    c = mqtt.MQTTClient(lambda *a: sock, "b", 1883, "n1", user="u", password="wrong")
    e = raises(mqtt.MQTTError, c.connect)
    assert "user name or password" in str(e)
    assert sock.closed and not c.connected
