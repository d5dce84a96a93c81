"""The web side of the live view (aiohttp): the page, the projector and fleet views, their static
files (every script and style is served from here: the page works without the internet), the
JSON API, the QR code and the Server-Sent Events stream: a snapshot on connect, then every change.

The hub runs on the event loop; the collector's writer thread hands it events through
call_soon_threadsafe. Each event is encoded once and queued to every client; a client that falls
too far behind is dropped (its browser reconnects and gets a fresh snapshot)."""

import asyncio
import csv
import io
import ipaddress
import json
import socket
from datetime import datetime, timezone
from pathlib import Path

from aiohttp import web

from reallabor.i18n import LANGUAGES
from reallabor.messages import CATALOG
from reallabor.monitor.live import quantities

STATIC = Path(__file__).parent / "static"
PING_S = 15  # a comment line this often keeps proxies and the browser's connection alive
RETRY_MS = 1000  # EventSource reconnects this soon after the stream ends
CLIENT_BACKLOG = 2000  # events queued for one client before it is dropped
TEXT_FAMILIES = ("live.", "health.word.")
MARKER_MAX = 80  # characters
RANGE_MAX_S = 400 * 86400


LIVE = web.AppKey("live", object)  # the LiveApp
HUB = web.AppKey("hub", object)


class Hub:
    """The SSE clients and what each still has to get."""

    def __init__(self, app):
        self.app = app
        self.clients: set[asyncio.Queue] = set()
        self.sent = 0

    def publish(self, events: list[dict]) -> None:
        if not self.clients:
            return
        now = self.app.clock()
        chunks = []
        for e in events:
            e = dict(e, now=now, name=self.app.name_of(e["device"])) if "device" in e else dict(e, now=now)
            chunks.append(sse(e["type"], e))
        data = b"".join(chunks)
        for q in list(self.clients):
            if q.qsize() >= CLIENT_BACKLOG:
                self.clients.discard(q)
                q.put_nowait(None)  # the stream ends; the browser comes back with a snapshot
            else:
                q.put_nowait(data)
        self.sent += len(events) * len(self.clients)


def sse(event: str, data) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def texts(lang: str) -> dict:
    return {k: v[lang] for k, v in CATALOG.items() if k.startswith(TEXT_FAMILIES)}


def make_app(live) -> web.Application:
    """live: a reallabor.monitor.live.app.LiveApp."""
    app = web.Application(client_max_size=64 * 1024)
    app[LIVE] = live
    app[HUB] = Hub(live)
    def page(name):
        async def handler(request):
            return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})
        return handler

    app.router.add_get("/", page("index.html"))
    app.router.add_get("/projector", page("index.html"))
    app.router.add_get("/fleet", page("fleet.html"))
    app.router.add_get("/api/texts", _texts)
    app.router.add_get("/api/meta", _meta)
    app.router.add_get("/api/events", _events)
    app.router.add_get("/api/history", _history)
    app.router.add_get("/api/fleet", _fleet)
    app.router.add_get("/api/export", _export)
    app.router.add_post("/api/markers", _add_marker)
    app.router.add_get("/api/address", _address)
    app.router.add_get("/qr.svg", _qr)
    app.router.add_static("/static/", STATIC, append_version=False)
    app.on_shutdown.append(_close_streams)
    return app


async def _texts(request) -> web.Response:
    lang = request.query.get("lang", "de")
    return web.json_response(texts(lang if lang in LANGUAGES else "de"))


def _can_mark(request) -> bool:
    live = request.app[LIVE]
    if live.open_markers:
        return True
    peer = request.remote or ""
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


async def _meta(request) -> web.Response:
    live = request.app[LIVE]
    return web.json_response({
        **quantities.meta(), "site": live.site, "demo": live.demo, "rate": live.rate, "can_mark": _can_mark(request),
        "names": {d.id: d.name for d in live.roster.values()}, "now": live.clock(),
    })


def snapshot(live) -> dict:
    now = live.clock()
    devices = [dict(d, name=live.name_of(d["device"])) for d in live.state.snapshot()
               if live.site is None or d["site"] in (live.site, "") or d["device"] in live.roster]
    return {"type": "snapshot", "now": now, "rate": live.rate, "broker": live.linked(), "devices": devices,
            "provisioned": [{"device": d.id, "name": d.name} for d in live.roster.values()],
            "markers": live.store.markers(now - 86400)}


async def _events(request) -> web.StreamResponse:
    live = request.app[LIVE]
    hub: Hub = request.app[HUB]
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    q: asyncio.Queue = asyncio.Queue()
    hub.clients.add(q)
    try:
        await resp.write(f"retry: {RETRY_MS}\n\n".encode() + sse("snapshot", snapshot(live)))
        while True:
            try:
                data = await asyncio.wait_for(q.get(), PING_S)
            except asyncio.TimeoutError:
                data = b": ping\n\n"
            if data is None:
                break
            await resp.write(data)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.clients.discard(q)
    return resp


async def _close_streams(app) -> None:
    for q in list(app[HUB].clients):
        q.put_nowait(None)


def _number(request, name: str, default=None):
    text = request.query.get(name)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise web.HTTPBadRequest(text=f"{name}: a Unix time or an ISO 8601 time") from None
    return value


def _range(request, default_s: float) -> tuple[float, float]:
    now = request.app[LIVE].clock()
    until = _number(request, "until", _number(request, "to", now))
    since = _number(request, "since", _number(request, "from", until - default_s))
    if since > until or until - since > RANGE_MAX_S:
        raise web.HTTPBadRequest(text="range")
    return since, until


async def _history(request) -> web.Response:
    live = request.app[LIVE]
    quantity = request.query.get("quantity", "co2")
    since, until = _range(request, 1800)
    loop = asyncio.get_running_loop()
    series = await loop.run_in_executor(None, live.store.history, quantity, since, until)
    markers = await loop.run_in_executor(None, live.store.markers, since, until)
    series = {d: s for d, s in series.items() if live.shown(d)}
    return web.json_response({"quantity": quantity, "since": since, "until": until, "series": series,
                              "markers": markers, "names": {d: live.name_of(d) for d in series}})


async def _fleet(request) -> web.Response:
    live = request.app[LIVE]
    rows = await asyncio.get_running_loop().run_in_executor(None, live.fleet_rows)
    return web.json_response({"now": live.clock(), "rows": rows})


async def _add_marker(request) -> web.Response:
    live = request.app[LIVE]
    if not _can_mark(request):
        raise web.HTTPForbidden(text="markers: only on the facilitator's machine (or start with --open-markers)")
    try:
        body = await request.json()
        text = str(body.get("text", "")).strip()[:MARKER_MAX]
    except (ValueError, AttributeError):
        raise web.HTTPBadRequest(text="JSON {\"text\": ...}") from None
    if not text:
        raise web.HTTPBadRequest(text="text")
    marker = live.store.add_marker(live.clock(), text)
    request.app[HUB].publish([{"type": "marker", "marker": marker}])
    return web.json_response(marker)


async def _export(request) -> web.StreamResponse:
    live = request.app[LIVE]
    since, until = _range(request, 86400)
    fmt = request.query.get("format", "csv")
    if fmt not in ("csv", "json"):
        raise web.HTTPBadRequest(text="format: csv or json")
    devices = [d for d in request.query.getall("device", []) if d] or None
    rows = await asyncio.get_running_loop().run_in_executor(
        None, lambda: [r for r in live.store.export(since, until, devices) if live.shown(r[1])])
    stamp = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    name = f"reallabor-{stamp(since)}-{stamp(until)}".replace(":", "")
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(("time", "device", "name", "seq", "sensor", "quantity", "value", "unit"))
        for t, device, seq, sensor, quantity, value, unit, main, health in rows:
            w.writerow((stamp(t), device, live.name_of(device), seq, sensor, quantity, _plain(value), unit))
        body, ctype = out.getvalue().encode("utf-8"), "text/csv"
    else:
        readings: dict = {}
        for t, device, seq, sensor, quantity, value, unit, main, health in rows:
            r = readings.setdefault((device, seq, t), {"time": stamp(t), "device": device, "name": live.name_of(device),
                                                       "seq": seq, "readings": {}, "health": json.loads(health)})
            r["readings"].setdefault(sensor, {})[quantity] = {"value": value, "unit": unit}
        body = json.dumps({"from": stamp(since), "to": stamp(until), "readings": list(readings.values())},
                          ensure_ascii=False, indent=1).encode("utf-8")
        ctype = "application/json"
    return web.Response(body=body, content_type=ctype, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _plain(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def page_address(request) -> str:
    """The address a phone should open: --public-url, else the one this browser used; on a loopback
    address while we listen on every interface, this machine's own network address."""
    live = request.app[LIVE]
    if live.public_url:
        return live.public_url.rstrip("/") + "/"
    host = request.host
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    name = name or host
    try:
        loopback = name in ("localhost",) or ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if loopback and live.listen_host in ("0.0.0.0", "::", ""):
        own = _own_address()
        if own:
            host = f"{own}:{port}" if port else own
    return f"{request.scheme}://{host}/"


def _own_address() -> str | None:
    """A non-loopback IPv4 address of this machine, from its own name (no packet is sent)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for info in infos:
        address = info[4][0]
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return None


async def _address(request) -> web.Response:
    return web.json_response({"url": page_address(request)})


async def _qr(request) -> web.Response:
    import segno

    out = io.BytesIO()
    segno.make(page_address(request), error="m").save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff")
    return web.Response(body=out.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "no-cache"})
