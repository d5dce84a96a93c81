"""A read-only broker client for `verify`: it logs in with a reader account (or none), subscribes
to a device's topics before the device boots, and keeps every message it gets, retained ones
included (discovery configs are retained). Its own failures are told apart: the broker refused the
account, or it could not be reached at all."""

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


class Reader:
    def __init__(self, host: str, port: int, topics: list[str], user: str | None = None,
                 password: str | None = None, tls: bool = False, ca: str | None = None):
        self.host, self.port, self.topics = host, port, topics
        self.messages: queue.Queue = queue.Queue()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._reason = None
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv311)
        if user:
            self._client.username_pw_set(user, password)
        if tls:
            context = ssl.create_default_context(cafile=ca)
            self._client.tls_set_context(context)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        self._client.on_message = lambda client, userdata, m: self.messages.put(Message(m.topic, m.payload, m.retain))

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        self._reason = reason
        self._connected.set()
        if not reason.is_failure:
            client.subscribe([(t, 1) for t in self.topics])

    def __enter__(self) -> "Reader":
        try:
            self._client.connect(self.host, self.port, keepalive=30)
        except (OSError, ssl.SSLError) as e:
            raise ReaderFailed("unreachable", getattr(e, "strerror", None) or str(e)) from None
        self._client.loop_start()
        if not self._connected.wait(CONNECT_TIMEOUT_S):
            self.__exit__()
            raise ReaderFailed("unreachable", f"no CONNACK within {CONNECT_TIMEOUT_S} s")
        if self._reason.is_failure:
            self.__exit__()
            raise ReaderFailed("refused", str(self._reason))
        if not self._subscribed.wait(CONNECT_TIMEOUT_S):
            self.__exit__()
            raise ReaderFailed("unreachable", "no SUBACK")
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
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()
