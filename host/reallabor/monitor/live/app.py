"""The live view put together: history (Store), live state, collector, the broker connections, the
web server on its own event loop thread, and the clock that all of them share (wall time, or the
demo's faster time)."""

import asyncio
import errno
import threading
import time

from aiohttp import web

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.monitor.live import fleetview, server
from reallabor.monitor.live.collector import Collector, LiveState

ROSTER_RELOAD_S = 30


class WallClock:
    rate = 1.0

    def __call__(self) -> float:
        return time.time()

    def observe(self, t: float) -> None:
        pass


class DemoClock:
    """The demo's time: `rate` times faster than the wall clock, led by the simulated nodes. Their
    replays keep to the rate only roughly (start-up, a busy machine), so the clock follows the
    newest reading that arrived and runs on at the rate from there; ages and wake times on the page
    then fit what the nodes send."""

    def __init__(self, rate: float, start: float | None = None):
        self.rate = rate
        self._anchor = (time.monotonic(), start if start is not None else time.time())
        self._newest = None
        self._lock = threading.Lock()

    def __call__(self) -> float:
        wall, virtual = self._anchor
        return virtual + (time.monotonic() - wall) * self.rate

    def observe(self, t: float) -> None:
        with self._lock:
            if self._newest is None or t > self._newest:
                self._newest = t
                self._anchor = (time.monotonic(), t)


class LiveApp:
    def __init__(self, store, roster: dict | None = None, site: str | None = None, listen=("127.0.0.1", 8080),
                 public_url: str | None = None, open_markers: bool = False, clock=None, demo: bool = False,
                 reload_roster=None):
        self.store = store
        self.roster = roster or {}
        self.site = site
        self.listen_host, self.listen_port = listen
        self.public_url = public_url
        self.open_markers = open_markers
        self.clock = clock or WallClock()
        self.rate = self.clock.rate
        self.demo = demo
        self.state = LiveState(self.clock)
        self.collector = Collector(store, self.state, self._events)
        self.sources = []
        self._reload = reload_roster
        self._reloaded = time.monotonic()
        self._loop = None
        self._thread = None
        self._runner = None
        self.web = None

    # --- what the server asks ----------------------------------------------------------------------

    def name_of(self, device: str) -> str:
        known = self.roster.get(device)
        if known is None and self._reload and time.monotonic() - self._reloaded > ROSTER_RELOAD_S:
            self._reloaded = time.monotonic()
            self.roster = self._reload()
            known = self.roster.get(device)
        return known.name if known else device

    def shown(self, device: str) -> bool:
        """With --site only that site's devices (and provisioned ones) are shown."""
        if self.site is None or device in self.roster:
            return True
        entry = self.state.devices.get(device)
        return entry is not None and entry["site"] in (self.site, "")

    def linked(self) -> bool:
        return bool(self.sources) and all(s.client.is_connected() for s in self.sources)

    def fleet_rows(self) -> list[dict]:
        devices = [d for d in self.state.snapshot() if self.shown(d["device"])]
        now = self.clock()
        return fleetview.rows(self.roster, devices, self.store.gaps(now - fleetview.GAP_WINDOW_S),
                              self.store.counters(), self.store.changed_status_since, self.store.interval, now,
                              self.rate)

    # --- running -----------------------------------------------------------------------------------

    def _events(self, events: list[dict]) -> None:
        for e in events:
            if e["type"] == "reading":
                self.clock.observe(e["t"])
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.web[server.HUB].publish, events)

    def add_source(self, source) -> None:
        """A started Source (not threaded): from now on the collector's thread drives it."""
        self.sources.append(source)
        self.collector.attach(source)

    def start(self) -> "LiveApp":
        """Seed from the database, start the writer and the web server (on a thread of its own);
        returns once the server listens. Broker sources are started by the caller afterwards."""
        self.collector.seed()
        self.collector.start()
        ready = threading.Event()
        failure = []

        def run():
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except OSError as e:
                failure.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="live-web", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            self.collector.stop()
            e = failure[0]
            key = "live.port_busy" if e.errno in (errno.EADDRINUSE, errno.EACCES) else "live.listen_failed"
            raise ReallaborError(key, EXIT_BAD_INPUT, host=self.listen_host, port=self.listen_port,
                                 error=e.strerror or e) from None
        return self

    async def _serve(self) -> None:
        self.web = server.make_app(self)
        self._runner = web.AppRunner(self.web, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen_host, self.listen_port, reuse_address=True)
        await site.start()
        if self.listen_port == 0:
            self.listen_port = self._runner.addresses[0][1]

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.listen_host in ("0.0.0.0", "") else self.listen_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.listen_port}/"

    def stop(self) -> None:
        self.collector.stop()  # first: its thread drives the sources
        for source in self.sources:
            source.stop()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None
