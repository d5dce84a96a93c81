"""A read-only broker client for `verify`: it logs in with a reader account (or none), subscribes
to a device's topics before the device boots, and keeps every message it gets, retained ones
included (discovery configs are retained). Readers of one account share one connection. Its own
failures are told apart: the broker refused the account, or it could not be reached at all."""

import queue
import ssl
import threading
from dataclasses import dataclass

import paho.mqtt.client as paho

CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    retained: bool


class ReaderFailed(Exception):
    """why: "refused" (the broker said no to the account) or "unreachable"; detail: its words."""

    def __init__(self, why: str, detail: str):
        super().__init__(why, detail)
        self.why, self.detail = why, detail


class _Connection:
    """One broker connection per account and broker, shared by the readers of one process: the
    exported broker binds the client id to the account (use_username_as_clientid), so a second
    connection of the same account would push the first one off."""

    _open: dict = {}
    _lock = threading.Lock()

    @classmethod
    def join(cls, reader: "Reader") -> "_Connection":
        key = (reader.host, reader.port, reader.user, reader.password, reader.tls, reader.ca)
        with cls._lock:
            conn = cls._open.get(key)
            if conn is None:
                conn = cls(key, reader)
                conn.connect()  # ReaderFailed: nothing registered
                cls._open[key] = conn
            conn.readers.append(reader)
        try:
            conn.subscribe(reader.topics)
        except ReaderFailed:
            conn.leave(reader)
            raise
        return conn

    def __init__(self, key, reader: "Reader"):
        self.key = key
        self.readers: list = []
        self.filters: dict[str, int] = {}  # topic filter -> how many readers want it
        self._acked = threading.Condition()
        self._subacks: dict[int, list] = {}  # mid -> the broker's reason codes
        self._connected = threading.Event()
        self._reason = None
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv311)
        if reader.user:
            self._client.username_pw_set(reader.user, reader.password)
        if reader.tls:
            self._client.tls_set_context(ssl.create_default_context(cafile=reader.ca))
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def connect(self) -> None:
        try:
            self._client.connect(self.key[0], self.key[1], keepalive=30)
        except (OSError, ssl.SSLError) as e:
            raise ReaderFailed("unreachable", getattr(e, "strerror", None) or str(e)) from None
        self._client.loop_start()
        if not self._connected.wait(CONNECT_TIMEOUT_S):
            self.close()
            raise ReaderFailed("unreachable", f"no CONNACK within {CONNECT_TIMEOUT_S} s")
        if self._reason.is_failure:
            self.close()
            raise ReaderFailed("refused", str(self._reason))

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        self._reason = reason
        self._connected.set()
        if not reason.is_failure and self.filters:  # a reconnect: a clean session has none
            client.subscribe([(t, 1) for t in self.filters])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        with self._acked:
            self._subacks[mid] = reason_codes
            self._acked.notify_all()

    def _on_message(self, client, userdata, m) -> None:
        message = Message(m.topic, m.payload, m.retain)
        for reader in list(self.readers):
            if any(paho.topic_matches_sub(f, m.topic) for f in reader.topics):
                reader.messages.put(message)

    def subscribe(self, topics: list[str]) -> None:
        with self._acked:
            for t in topics:
                self.filters[t] = self.filters.get(t, 0) + 1
            _, mid = self._client.subscribe([(t, 1) for t in topics])
            if not self._acked.wait_for(lambda: mid in self._subacks, CONNECT_TIMEOUT_S):
                raise ReaderFailed("unreachable", "no SUBACK")

    def leave(self, reader: "Reader") -> None:
        with _Connection._lock:
            self.readers.remove(reader)
            gone = [t for t in reader.topics if self.filters.get(t) == 1]
            for t in reader.topics:
                self.filters[t] = self.filters.get(t, 1) - 1
                if not self.filters[t]:
                    del self.filters[t]
            if self.readers:
                if gone:
                    self._client.unsubscribe(gone)
                return
            del _Connection._open[self.key]
        self.close()

    def close(self) -> None:
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()


class Reader:
    def __init__(self, host: str, port: int, topics: list[str], user: str | None = None,
                 password: str | None = None, tls: bool = False, ca: str | None = None):
        self.host, self.port, self.topics = host, port, topics
        self.user, self.password, self.tls, self.ca = user, password, tls, ca
        self.messages: queue.Queue = queue.Queue()
        self._conn = None

    def __enter__(self) -> "Reader":
        self._conn = _Connection.join(self)
        return self

    def received(self) -> list[Message]:
        """Everything that arrived since the last call."""
        got = []
        while True:
            try:
                got.append(self.messages.get_nowait())
            except queue.Empty:
                return got

    def wait(self, seconds: float) -> list[Message]:
        """What arrives within seconds (returns as soon as something did)."""
        try:
            first = self.messages.get(timeout=seconds)
        except queue.Empty:
            return []
        return [first] + self.received()

    def __exit__(self, *exc) -> None:
        if self._conn:
            self._conn, conn = None, self._conn
            conn.leave(self)
