# MQTT 3.1.1 client (OASIS mqtt-v3.1.1, chapter 3). This first version speaks QoS 0 over a
# connected stream from the HAL; packet building is kept apart from I/O so tests can check bytes.
from micropython import const
import struct

_CONNECT = const(0x10)
_CONNACK = const(0x20)
_PUBLISH = const(0x30)
_PINGREQ = const(0xC0)
_DISCONNECT = const(0xE0)

_FLAG_USER = const(0x80)
_FLAG_PASSWORD = const(0x40)
_FLAG_WILL_RETAIN = const(0x20)
_FLAG_WILL = const(0x04)
_FLAG_CLEAN = const(0x02)

# CONNACK return codes (3.2.2.3)
REFUSED = {1: "protocol version", 2: "client id rejected", 3: "server unavailable", 4: "bad user name or password", 5: "not authorised"}


class MQTTError(Exception):
    pass


def _remaining_length(n):
    # Variable-length encoding of 2.2.3: 7 bits per byte, high bit = more follows.
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return out


def _string(s):
    b = s if isinstance(s, (bytes, bytearray)) else s.encode()
    return struct.pack("!H", len(b)) + b


def connect_packet(client_id, keepalive_s, user=None, password=None, will=None):
    # will = (topic, message, retain); clean session, QoS 0 will.
    flags = _FLAG_CLEAN
    payload = _string(client_id)
    if will:
        flags |= _FLAG_WILL | (_FLAG_WILL_RETAIN if will[2] else 0)
        payload += _string(will[0]) + _string(will[1])
    if user is not None:
        flags |= _FLAG_USER
        payload += _string(user)
        if password is not None:
            flags |= _FLAG_PASSWORD
            payload += _string(password)
    body = b"\x00\x04MQTT\x04" + bytes((flags,)) + struct.pack("!H", keepalive_s) + payload
    return bytes((_CONNECT,)) + _remaining_length(len(body)) + body


def publish_packet(topic, payload, retain=False):
    t = _string(topic)
    p = payload if isinstance(payload, (bytes, bytearray)) else payload.encode()
    return bytes((_PUBLISH | (1 if retain else 0),)) + _remaining_length(len(t) + len(p)) + t + p


def check_connack(packet):
    # packet: the 4 bytes of a CONNACK; raises MQTTError unless the broker accepted us.
    if len(packet) != 4 or packet[0] != _CONNACK or packet[1] != 2:
        raise MQTTError("malformed CONNACK %s" % bytes(packet).hex())
    if packet[3]:
        raise MQTTError("connection refused: %s" % REFUSED.get(packet[3], "code %d" % packet[3]))


class MQTTClient:
    def __init__(self, open_tcp, host, port, client_id, user=None, password=None, keepalive_s=60, will=None, tls=False):
        self._open_tcp = open_tcp
        self._host = host
        self._port = port
        self._tls = tls
        self._connect = connect_packet(client_id, keepalive_s, user, password, will)
        self._sock = None

    @property
    def connected(self):
        return self._sock is not None

    def connect(self, timeout_ms=10000):
        sock = self._open_tcp(self._host, self._port, self._tls, timeout_ms)
        try:
            sock.write(self._connect)
            ack = sock.read(4)
            check_connack(ack or b"")
        except Exception:
            sock.close()
            raise
        self._sock = sock

    def publish(self, topic, payload, retain=False):
        try:
            self._sock.write(publish_packet(topic, payload, retain))
        except OSError:
            self.close()
            raise

    def ping(self):
        self._sock.write(bytes((_PINGREQ, 0)))

    def disconnect(self):
        if self._sock:
            try:
                self._sock.write(bytes((_DISCONNECT, 0)))
            finally:
                self.close()

    def close(self):
        if self._sock:
            self._sock.close()
            self._sock = None
