"""A paho-mqtt subscriber that collects (topic, payload) in order; live messages only."""

import queue
import threading
import time

import paho.mqtt.client as paho

from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.mqtt.url import parse_url


class Subscriber:
    def __init__(self, url: str, topic: str):
        self.url = url
        self.topic = topic
        self.inbox: queue.Queue = queue.Queue()
        self._subscribed = threading.Event()
        self._synced = threading.Event()
        self._sync_topic = topic.rstrip("#") + "_sync" if topic.endswith("#") else None
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2)
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        self._client.on_connect = lambda client, *a: client.subscribe(self.topic, qos=1)
        self._client.on_disconnect = lambda *a: self._subscribed.clear()
        self._client.reconnect_delay_set(min_delay=0.02, max_delay=0.2)  # back soon after a broker restart

    def _on_message(self, client, userdata, message) -> None:
        if message.topic == self._sync_topic:
            self._synced.set()
        elif not message.retain:  # retained ones are left over from before this run
            self.inbox.put((message.topic, message.payload))

    def __enter__(self) -> "Subscriber":
        broker = parse_url(self.url)
        host, port = broker.host, broker.port
        try:
            self._client.connect(host, port)
        except OSError as e:
            raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.url, error=e.strerror or e)
        self._client.loop_start()
        if not self._subscribed.wait(10):
            self.__exit__()
            raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.url, error="no SUBACK")
        return self

    def sync(self, timeout_s: float = 10) -> bool:
        """True once everything the broker had accepted before this call has reached us: a marker we
        publish ourselves arrives after it (the topic must end in #)."""
        self._synced.clear()
        self._client.publish(self._sync_topic, b"", qos=1)
        return self._synced.wait(timeout_s)

    def wait_disconnected(self, timeout_s: float = 10) -> bool:
        """After a broker stop: True once the client noticed (so wait_subscribed means a new SUBACK)."""
        deadline = time.monotonic() + timeout_s
        while self._subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._subscribed.is_set()

    def wait_subscribed(self, timeout_s: float = 10) -> bool:
        """After a broker restart: True once the subscription is back."""
        return self._subscribed.wait(timeout_s)

    def __exit__(self, *exc) -> None:
        self._client.disconnect()
        self._client.loop_stop()
