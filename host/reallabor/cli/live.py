"""reallabor live (the web view, --demo without hardware), reallabor monitor (a terminal table of
real nodes). Both read the broker with the live view's read-only account."""

import os
import queue
import signal
import sys
import tempfile
from pathlib import Path

from reallabor.cli.fleet import site_name
from reallabor.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL, ReallaborError
from reallabor.i18n import msg

DEFAULT_BROKER = "mqtt://live@127.0.0.1:1883"
PASSWORD_ENV = "REALLABOR_LIVE_PASSWORD"


def args_live(p) -> None:
    p.add_argument("--broker", help=msg("help.live.broker"))
    p.add_argument("--site", type=site_name, help=msg("help.live.site"))
    p.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT", help=msg("help.live.listen"))
    p.add_argument("--data", type=Path, help=msg("help.data"))
    p.add_argument("--keep", type=float, default=30, metavar="DAYS", help=msg("help.live.keep"))
    p.add_argument("--public-url", metavar="URL", help=msg("help.live.public_url"))
    p.add_argument("--open-markers", action="store_true", help=msg("help.live.open_markers"))
    p.add_argument("--demo", action="store_true", help=msg("help.live.demo"))
    p.add_argument("--speed", default="60", help=msg("help.live.speed"))
    p.add_argument("--nodes", type=int, default=3, help=msg("help.live.nodes"))


def args_monitor(p) -> None:
    p.add_argument("--broker", help=msg("help.live.broker"))
    p.add_argument("--site", type=site_name, help=msg("help.live.site"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ReallaborError("live.bad_listen", EXIT_BAD_INPUT, value=text)
    return host, int(port)


def broker_password(broker, data) -> str | None:
    """The password of the broker account in the URL: $REALLABOR_LIVE_PASSWORD, else (for the
    account "live") the private file that `reallabor export mosquitto` wrote. Never printed."""
    from reallabor.fleet.datadir import LIVE_ACCOUNT, check_private, live_password_file

    if not broker.user:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    path = live_password_file(data)
    if broker.user == LIVE_ACCOUNT and path.is_file():
        check_private(path)
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    raise ReallaborError("live.no_password", EXIT_BAD_INPUT, user=broker.user, path=path)


def _speed(text: str) -> float:
    from reallabor.sim.replay import parse_speed

    value = parse_speed(text)
    if value == "max":
        raise ReallaborError("live.bad_speed", EXIT_BAD_INPUT, value=text)
    return float(value)


def _sigterm_stops() -> None:
    """SIGTERM ends the server like Ctrl+C (the history is closed, the demo's nodes are stopped)."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _wait(app, demo=None) -> int:
    import threading

    said_done = False
    try:
        while True:
            threading.Event().wait(0.5)
            if demo and demo.done.is_set() and not said_done:
                said_done = True
                print(msg("live.demo_done"), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        app.stop()
        if demo:
            demo.stop()
    print(msg("live.stopped"))
    return 0


def _need_live_extra() -> None:
    try:
        import aiohttp  # noqa: F401
        import segno  # noqa: F401
    except ImportError:
        raise ReallaborError("live.missing", EXIT_MISSING_TOOL) from None


def run_live(args) -> int:
    _need_live_extra()
    from reallabor.monitor.live import app as live_app, fleetview, wire
    from reallabor.monitor.live.collector import Source
    from reallabor.monitor.live.store import Store
    from reallabor.mqtt.url import parse_url

    listen = parse_listen(args.listen)
    if not args.keep > 0:
        raise ReallaborError("live.bad_keep", EXIT_BAD_INPUT, value=args.keep)
    _sigterm_stops()
    if args.demo:
        return _run_demo(args, listen)
    from reallabor.fleet.datadir import live_history

    broker = parse_url(args.broker or DEFAULT_BROKER)
    password = broker_password(broker, args.data)
    roster = fleetview.load_roster(args.data, args.site)
    store = Store(live_history(args.data), args.keep)
    app = live_app.LiveApp(store, roster, args.site, listen, args.public_url, args.open_markers,
                           reload_roster=lambda: fleetview.load_roster(args.data, args.site))
    prefixes = {d.prefix for d in roster.values()} | {"reallabor"}
    source = Source(broker, password, wire.topics(prefixes, args.site), app.collector.put, app.collector.link,
                    client_id=f"reallabor-live-{broker.user or 'anonymous'}-{args.site or 'all'}")
    app.start()
    try:
        source.start()
    except ReallaborError:
        app.stop()
        raise
    app.add_source(source)
    print(msg("live.collecting", url=broker.url, user=broker.user or "-", path=store.path, days=f"{args.keep:g}"))
    print(msg("live.listening", url=app.url), flush=True)
    return _wait(app)


def _run_demo(args, listen) -> int:
    from reallabor.monitor.live import app as live_app, demo as live_demo, wire
    from reallabor.monitor.live.collector import Source
    from reallabor.monitor.live.store import Store
    from reallabor.mqtt.url import parse_url

    if args.broker:
        raise ReallaborError("live.demo_and_broker", EXIT_BAD_INPUT)
    from reallabor.env import find_program

    find_program("micropython")  # the simulated nodes run the firmware in it
    find_program("mosquitto")
    speed = _speed(args.speed)
    if not 1 <= args.nodes <= live_demo.MAX_NODES:
        raise ReallaborError("live.bad_nodes", EXIT_BAD_INPUT, value=args.nodes)
    work = tempfile.TemporaryDirectory(prefix="reallabor-live-demo-")
    store = Store(Path(work.name) / "history.sqlite", args.keep)
    app = live_app.LiveApp(store, live_demo.roster(args.nodes), live_demo.SITE, listen, args.public_url,
                           args.open_markers, clock=live_app.DemoClock(speed), demo=True)
    app.start()
    demo = live_demo.Demo(args.nodes, speed,
                          on_crash=lambda device, code: print(msg("live.demo_node_failed", device=device, code=code),
                                                              file=sys.stderr, flush=True))
    try:
        demo.start_broker()
        source = Source(parse_url(demo.broker.url), None, wire.topics({live_demo.PREFIX}, live_demo.SITE),
                        app.collector.put, app.collector.link, client_id="reallabor-live-demo", clock=app.clock)
        source.start()
        app.add_source(source)
        demo.start_nodes()
    except BaseException:
        app.stop()
        demo.stop()
        raise
    print(msg("live.demo_started", count=args.nodes, speed=f"{speed:g}", broker=demo.broker.url))
    print(msg("live.listening", url=app.url), flush=True)
    try:
        return _wait(app, demo)
    finally:
        work.cleanup()


def run_monitor(args) -> int:
    from reallabor.monitor.live import fleetview, wire
    from reallabor.monitor.live.collector import Source
    from reallabor.monitor.table import LiveTable
    from reallabor.mqtt.url import parse_url

    broker = parse_url(args.broker or DEFAULT_BROKER)
    password = broker_password(broker, args.data)
    roster = fleetview.load_roster(args.data, args.site)
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    prefixes = {d.prefix for d in roster.values()} | {"reallabor"}
    source = Source(broker, password, wire.topics(prefixes, args.site), inbox.put, persistent=False)
    table = LiveTable(names={d.id: d.name for d in roster.values()})
    _sigterm_stops()
    source.start(threaded=True)
    print(msg("monitor.waiting", url=broker.url), flush=True)
    seen: set = set()
    try:
        while True:
            try:
                item = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(item, wire.Status):
                table.status(item.device, item.state, item.received, item.wake)
            elif (item.device, item.seq) not in seen or item.seq_bits:
                seen.add((item.device, item.seq))
                table.reading(item.device, item.seq, item.t, item.readings, item.health)
    except KeyboardInterrupt:
        pass
    finally:
        source.stop()
    return 0
