"""From the broker to the history and the page: one thread (the collector's) drives the paho-mqtt
client (Source.pump), parses every message, stores them in batches in SQLite (de-duplicated
there), updates the live state in memory and passes the new events on (the web server turns them
into Server-Sent Events). The broker keeps a persistent session for us (clean session 0), so
readings published while the live view was down arrive when it is back.

Why one thread for network and database: with paho's own network thread beside a busy writer,
every packet waited for the interpreter lock (up to its 5 ms switch interval), which held the
collector to about 250 readings a second; in one thread nothing waits."""

import collections
import queue
import select
import threading
import time

import paho.mqtt.client as paho

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.monitor.live import quantities, wire

PRUNE_EVERY_S = 3600
BATCH = 2000  # readings per transaction at most
PUMP_S = 0.02  # the longest a reading waits in the collector before it is written and sent on


class Source:
    """A paho client subscribed to the nodes' topics; on_item(Reading | Status) is called for every
    message we understand, on_link(bool) when the connection comes or goes. Driven either by the
    collector's thread (pump) or by a thread of paho's own (start(threaded=True))."""

    def __init__(self, broker, password: str | None, topic_filters: list[str], on_item, on_link=None,
                 client_id: str = "", persistent: bool = True, clock=time.time):
        self.broker = broker  # reallabor.mqtt.url.BrokerUrl
        self.filters = topic_filters
        self.on_item = on_item
        self.on_link = on_link or (lambda up: None)
        self.rejected = 0
        self.clock = clock  # arrival times: the wall clock, or the demo's
        self.refused = None  # the CONNACK reason when the broker refused us
        self._first = threading.Event()
        self._subscribed = threading.Event()  # SUBACK: from now on nothing published is missed
        self._threaded = False
        self._retry_at = 0.0
        self._backoff = 1.0
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=not (persistent and client_id))
        if broker.user:
            self.client.username_pw_set(broker.user, password)
        if broker.tls:
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda client, userdata, flags, reason, props: self.on_link(False)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.max_queued_messages_set(0)

    def _on_connect(self, client, userdata, flags, reason, props) -> None:
        if reason.is_failure:
            self.refused = str(reason)
            self._first.set()
            client.disconnect()  # wrong account: retrying would only lock it out
            return
        client.subscribe([(f, 1) for f in self.filters])
        self._first.set()
        self.on_link(True)

    def _on_message(self, client, userdata, message) -> None:
        item = wire.parse(message.topic, message.payload, retained=message.retain, received=self.clock())
        if item is None:
            self.rejected += 1
        else:
            self.on_item(item)

    def start(self, wait_s: float = 10, threaded: bool = False) -> "Source":
        """Connect and wait for the broker's answer; bad input (refused account) and an unreachable
        broker are errors at start, later losses of the connection are retried for ever. Without a
        thread of its own the source is then driven by pump() (the collector's thread)."""
        try:
            self.client.connect(self.broker.host, self.broker.port, keepalive=30)
        except OSError as e:
            raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.broker.url, error=e.strerror or e) from None
        self._threaded = threaded
        deadline = time.monotonic() + wait_s
        done = lambda: self.refused or self._subscribed.is_set()  # noqa: E731
        if threaded:
            self.client.loop_start()
            while not done() and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            while not done() and time.monotonic() < deadline:
                if self.client.loop(0.05) != paho.MQTT_ERR_SUCCESS:
                    break
        if not self._first.is_set() or not (self.refused or self._subscribed.is_set()):
            self.stop()
            raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.broker.url, error="no CONNACK")
        if self.refused:
            self.stop()
            raise ReallaborError("live.broker_refused", EXIT_BAD_INPUT, url=self.broker.url,
                                 user=self.broker.user or "-", reason=self.refused)
        return self

    def pump(self, timeout_s: float) -> None:
        """Network work for up to timeout_s: read what arrived (on_item for each), send acks and
        pings; after a lost connection try again with a growing pause (1 s to 30 s)."""
        if self.refused:
            time.sleep(timeout_s)
            return
        if self.client.loop(timeout_s) == paho.MQTT_ERR_SUCCESS:
            self._backoff = 1.0
            return
        now = time.monotonic()
        if now < self._retry_at:
            time.sleep(min(timeout_s, self._retry_at - now))
            return
        try:
            self.client.reconnect()
        except OSError:
            self._retry_at = now + self._backoff
            self._backoff = min(30.0, self._backoff * 2)

    def waiting(self) -> bool:
        """Bytes from the broker are ready to be read."""
        sock = self.client.socket()
        if sock is None:
            return False
        if getattr(sock, "pending", None) and sock.pending():  # TLS: decrypted bytes already buffered
            return True
        return bool(select.select([sock], [], [], 0)[0])

    def stop(self) -> None:
        self.client.disconnect()
        if self._threaded:
            self.client.loop_stop()
        else:
            self.client.loop(0.05)  # send the DISCONNECT


class LiveState:
    """What the page shows now, per device, in memory (the database holds the history). Every
    change comes back as an event for the page (a dict that goes out as JSON)."""

    def __init__(self, clock=time.time):
        self.lock = threading.Lock()
        self.devices: dict[str, dict] = {}
        self._recent: dict[str, collections.deque] = {}
        self.clock = clock

    def _entry(self, device: str, site: str = "", prefix: str = "", source: str = "mqtt") -> dict:
        entry = self.devices.get(device)
        if entry is None:
            entry = self.devices[device] = {"device": device, "site": site, "prefix": prefix, "source": source,
                                            "seq": None, "t": None, "received": None, "values": [], "health": {},
                                            "node": None, "status": None}
            self._recent[device] = collections.deque()
        if site:
            entry["site"], entry["prefix"] = site, prefix
        return entry

    def reading(self, r: wire.Reading, superseded: bool = False) -> dict:
        """-> {"type": "reading", ...}; "latest" says whether it is now the node's newest by seq (a
        copy of an older one that comes late is history: it goes into the chart, not onto the card).
        Not by time: a node's first message after power-up may carry none (it is stamped with its
        arrival), and its later ones the node's own clock. superseded: a newer reading of the same
        node follows in the same batch, so no card will show this one's band and trend (a backlog
        is worked through without working them out)."""
        main = r.main
        with self.lock:
            entry = self._entry(r.device, r.site, r.prefix, r.source)
            recent = self._recent[r.device]
            latest = entry["seq"] is None or r.seq > entry["seq"] or r.restarted
            values = []
            before = _before(recent, r.t) if not superseded else {}
            for quantity in sorted(main, key=quantities.order_key):
                sensor, value, unit = main[quantity]
                if superseded:
                    values.append({"quantity": quantity, "sensor": sensor, "value": value, "unit": unit,
                                   "band": None, "trend": None})
                    continue
                b = quantities.band(quantity, value)
                values.append({"quantity": quantity, "sensor": sensor, "value": value, "unit": unit,
                               "band": {"level": b.level, "word": b.word} if b else None,
                               "trend": quantities.trend(quantity, value, before.get(quantity))})
            if latest:
                node = dict(r.node or {})
                if r.rssi_dbm is not None:
                    node.setdefault("rssi_dbm", r.rssi_dbm)
                entry.update(seq=r.seq, t=r.t, received=r.received, values=values, health=r.health,
                             node=node or None)
                recent.append((r.t, {q: v[1] for q, v in main.items()}))
                while recent and recent[0][0] < r.t - quantities.TREND_S - 600:
                    recent.popleft()
            return {"type": "reading", "latest": latest, "device": r.device, "site": entry["site"],
                    "source": r.source, "seq": r.seq, "t": r.t, "received": r.received, "values": values,
                    "health": r.health, "node": entry["node"] if latest else r.node}

    def status(self, s: wire.Status) -> dict:
        with self.lock:
            entry = self._entry(s.device, s.site, s.prefix)
            entry["status"] = {"state": s.state, "wake": s.wake, "dropped": s.dropped, "received": s.received,
                               "retained": s.retained}
            return {"type": "status", "device": s.device, "site": entry["site"], "status": entry["status"]}

    def seed(self, latest: list[dict], recent: list[tuple]) -> None:
        """After a restart: the newest reading and status of each device from the database."""
        for device, t, values in recent:
            with self.lock:
                self._entry(device)
                self._recent[device].append((t, values))
        for e in latest:
            with self.lock:
                self._entry(e["device"], e["site"], e["prefix"], e["source"])
            if e["reading"]:
                self.reading(e["reading"])
            if e["status"]:
                self.status(e["status"])

    def snapshot(self) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.devices.values()]


def _before(recent, t: float) -> dict:
    """The main values of the reading about TREND_S before t (at least TREND_MIN_S before it);
    recent is in time order, so the search stops at the first one too new."""
    target, best = t - quantities.TREND_S, None
    for when, values in recent:
        if when > t - quantities.TREND_MIN_S:
            break
        if best is None or abs(when - target) < abs(best[0] - target):
            best = (when, values)
        elif when > target:
            break  # past the target and getting worse
    return best[1] if best else {}


class Collector:
    """Source -> queue -> writer thread -> Store + LiveState -> on_events(list of events)."""

    def __init__(self, store, state: LiveState, on_events=None):
        self.store = store
        self.state = state
        self.on_events = on_events or (lambda events: None)
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.ingested = 0
        self.linked = False
        self.sources: list = []  # driven by this collector's thread
        self._thread = None
        self._stop = object()
        self._last_prune = 0.0

    def seed(self) -> None:
        now = self.state.clock()
        self.state.seed(self.store.latest(), self.store.recent(now - quantities.TREND_S - 600))

    def put(self, item) -> None:
        """Called from paho's thread (or a test) for every parsed message."""
        self.inbox.put(item)

    def link(self, up: bool) -> None:
        self.linked = up
        self.on_events([{"type": "broker", "connected": up}])

    def attach(self, source) -> None:
        """A started Source whose network work this collector's thread does from now on."""
        self.sources.append(source)

    def start(self) -> "Collector":
        self._thread = threading.Thread(target=self._run, name="live-writer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread:
            self.inbox.put(self._stop)
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while True:
            batch = []
            if self.sources:
                for source in list(self.sources):  # on_item -> put -> the inbox
                    source.pump(PUMP_S / len(self.sources))
                    while self.inbox.qsize() < BATCH and source.waiting():
                        source.pump(0)  # more has arrived: read on, then write them in one transaction
            else:
                try:
                    batch = [self.inbox.get(timeout=PUMP_S)]
                except queue.Empty:
                    continue
            while len(batch) < BATCH:
                try:
                    batch.append(self.inbox.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is self._stop for item in batch)
            self.process([item for item in batch if item is not self._stop])
            if stop:
                self.store.close()
                return

    def process(self, batch: list) -> list:
        """Store a batch, update the live state, hand on the events -> the events."""
        if not batch:
            return []
        accepted = self.store.ingest(batch)
        self.ingested += sum(1 for item in accepted if isinstance(item, wire.Reading))
        last = {}  # device -> the index of its last reading in this batch
        for n, item in enumerate(accepted):
            if isinstance(item, wire.Reading):
                last[item.device] = n
        events = [self.state.status(i) if isinstance(i, wire.Status) else
                  self.state.reading(i, superseded=last[i.device] != n) for n, i in enumerate(accepted)]
        if events:
            self.on_events(events)
        now = time.time()
        if now - self._last_prune > PRUNE_EVERY_S:
            self._last_prune = now
            self.store.prune(self.state.clock())
        return events
