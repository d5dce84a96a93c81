"""The `reallabor` command: parses options, calls plain functions, and maps every ReallaborError
to a message and an exit code in one place."""

import argparse
import json
import sys
from pathlib import Path

from reallabor import __version__
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_MISSING_TOOL, ReallaborError
from reallabor.i18n import msg, set_language


def cmd_trace_validate(args) -> int:
    from reallabor import trace

    summary, problems = trace.check(args.file)
    for p in problems:
        print(f"{args.file}: {p}")
    if problems:
        raise ReallaborError("trace.invalid", EXIT_BAD_INPUT, path=args.file, count=len(problems))
    print(msg("trace.valid", path=args.file))
    return 0


def cmd_trace_info(args) -> int:
    from reallabor import trace

    for line in trace.info(trace.load(args.file)):
        print(line)
    return 0


def cmd_trace_samples(args) -> int:
    from reallabor import synth

    args.dir.mkdir(parents=True, exist_ok=True)
    for path in synth.write_samples(args.dir):
        print(msg("trace.written", path=path))
    return 0


def cmd_replay(args) -> int:
    from reallabor import replay
    from reallabor.monitor import Table

    config = replay.load_config(args.config) if args.config else None
    table = Table(every_ms=args.table * 60_000) if args.table else None

    def show(m):
        if table and m.topic.endswith("/state"):
            table.add(m.t, m.payload)

    result = replay.run(args.trace, args.broker, args.speed, args.heap, config, on_message=show)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(m.as_json() + "\n" for m in result.messages), encoding="utf-8")
    if result.returncode != 0:
        details = [line for line in result.console if not replay.LOG_LINE.match(line)][-20:]
        details += result.stderr.strip().splitlines()[-30:]
        raise ReallaborError("replay.crash", EXIT_FAILED, details=details, code=result.returncode)
    for line in result.stderr.strip().splitlines():
        print(msg("replay.sim_says", text=line), file=sys.stderr)
    _print_summary(result, args)
    if args.plot:
        from reallabor.plot import plot_states

        print(msg("replay.plot", path=plot_states(result.states, args.plot, args.trace.name)))
    return 0


def _print_summary(result, args) -> None:
    hours = result.virtual_ms / 3_600_000
    speedup = result.virtual_ms / 1000 / result.wall_s if result.wall_s else 0
    heap = (
        msg("replay.heap", peak=f"{result.heap_peak / 1024:.1f}", total=f"{result.heap_total / 1024:.0f}")
        if result.heap_peak is not None else "-"
    )
    errors = sum(result.sensor_errors.values())
    print(msg("replay.summary", cycles=len(result.states), messages=len(result.messages), errors=errors,
              heap=heap, hours=f"{hours:.1f}", wall=f"{result.wall_s:.1f}", speedup=f"{speedup:.0f}"))
    for (sensor, health), count in sorted(result.sensor_errors.items()):
        print(msg("replay.sensor_error", sensor=sensor, health=health, count=count, hint=msg("health.hint." + health)),
              file=sys.stderr)
    if args.out:
        print(msg("replay.out", path=args.out))


def cmd_boards(args) -> int:
    from reallabor import boards

    if args.name:
        print(json.dumps(boards.load(args.name).data, indent=2, ensure_ascii=False))
        return 0
    print(msg("boards.header"))
    for name in boards.names():
        b = boards.load(name)
        build = b.build + (f"-{b.variant}" if b.variant else "")
        print(f"{b.name:24} {b.chip:8} {build:28} {b.flash_size >> 20:>3}MB  {b.title}")
    return 0


def cmd_flash(args) -> int:
    from reallabor import boards, firmware, flash

    board = boards.load(args.board)
    if args.image:
        try:
            image, name = args.image.read_bytes(), str(args.image)
        except FileNotFoundError:
            raise ReallaborError("firmware.file_missing", EXIT_BAD_INPUT, path=args.image)
    else:
        entry = firmware.find(firmware.board_build(board), args.version)
        image, name = firmware.load(entry), f"{entry.build} {entry.version}"
    ports = args.port or flash.detected_ports()
    tokens = args.baud.split(",")
    bauds = tuple(int(t) for t in tokens) if all(t.strip().isdigit() for t in tokens) else ()
    flash.run(board, image, name, ports, with_app=args.with_app, bauds=bauds)
    return 0


def cmd_firmware_add(args) -> int:
    from reallabor import firmware

    _print_added(firmware.add(args.file, args.build, args.version))
    return 0


def cmd_firmware_fetch(args) -> int:
    from reallabor import firmware

    _print_added(firmware.fetch(args.build, args.version, sha256=args.sha256))
    return 0


def _print_added(entry) -> None:
    print(msg("firmware.added", build=entry.build, version=entry.version, chip=entry.chip, size=entry.size,
              sha256=entry.sha256))


def cmd_firmware_list(args) -> int:
    from reallabor import firmware

    entries = firmware.images()
    if not entries:
        print(msg("firmware.empty"))
    for e in sorted(entries, key=lambda e: (e.build, e.version)):
        print(f"{e.build:32} {e.version:10} {e.chip:8} {e.size:>9}  {e.sha256[:16]}  {e.source}")
    return 0


def cmd_virtual_board_bootloader(args) -> int:
    import signal
    import tempfile
    import threading

    from reallabor.romsim import BootloaderBoard, Faults

    faults = Faults(max_baud=args.max_baud, silent=args.silent)
    first = int(args.mac.replace(":", ""), 16)
    root = args.flash or Path(tempfile.mkdtemp(prefix="reallabor-rom-"))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    running = []
    try:
        for i in range(args.count):
            mac = (first + i).to_bytes(6, "big")
            flash = root / f"board{i + 1}.bin" if args.count > 1 or not args.flash else root
            link = args.link.with_name(f"{args.link.name}-{i + 1}") if args.link and args.count > 1 else args.link
            running.append(BootloaderBoard(args.chip, flash, args.flash_size << 20, mac, faults, link, args.pace).start())
            print(msg("vboard.bootloader", chip=args.chip, path=running[-1].path, mac=mac.hex(":"), flash=flash),
                  flush=True)
        print(msg("vboard.stop"), flush=True)
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for board in running:
            board.stop()
    return 0


def cmd_deploy(args) -> int:
    from reallabor import batch, deploy

    if len(args.port) == 1:
        for line in deploy.report(deploy.deploy(args.port[0], args.board, args.dry_run)):
            print(line)
        return 0

    def job(port, progress):
        r = deploy.deploy(port, args.board, args.dry_run, progress)
        return {"files": len(r.plan.new) + len(r.plan.changed), "seconds": f"{r.seconds:.1f}"}

    outcomes = batch.run(args.port, job)
    for line in batch.table(outcomes, [("files", msg("batch.col_files")), ("seconds", msg("batch.col_seconds"))]):
        print(line)
    return 0 if all(o.ok for o in outcomes) else EXIT_FAILED


def cmd_virtual_board(args) -> int:
    import signal
    import tempfile
    import threading

    if sys.platform == "win32":
        raise ReallaborError("vboard.unsupported", EXIT_MISSING_TOOL)
    from reallabor.virtualboard import MAC_RE, VirtualBoard

    if not MAC_RE.match(args.mac):
        raise ReallaborError("vboard.bad_mac", EXIT_BAD_INPUT, mac=args.mac)
    if args.bootloader:
        return cmd_virtual_board_bootloader(args)
    root = args.flash or Path(tempfile.mkdtemp(prefix="reallabor-vboard-"))
    env = {"RL_TRACE": str(args.trace.resolve())} if args.trace else {}
    first = int(args.mac.replace(":", ""), 16)
    running = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the interpreters on kill, too
    try:
        for i in range(args.count):
            mac = ":".join(f"{(first + i) >> s & 0xFF:02x}" for s in range(40, -1, -8))
            flash = root / f"board{i + 1}" if args.count > 1 else root
            running.append(VirtualBoard(flash, mac, env=env).start())
            print(msg("vboard.ready", n=i + 1, port=running[-1].port, mac=mac, flash=flash), flush=True)
        print(msg("vboard.stop"), flush=True)
        threading.Event().wait()
    finally:
        for vb in running:
            vb.stop()
    return 0


def cmd_provision(args) -> int:
    from reallabor import batch, provision

    names = _names(args.name, len(args.port))

    def run(port, progress=None):
        return provision.provision(port, args.board, args.site, names[args.port.index(port)], args.data,
                                   args.new_secrets, progress)

    def line(r):
        return msg("provision.done", port=r.port, id=r.id, name=r.name, mac=r.mac, board=r.board,
                   config=r.config_hash, firmware=r.firmware,
                   written=msg("provision.written" if r.written else "provision.unchanged"))

    if len(args.port) == 1:
        print(line(run(args.port[0])))
        return 0
    outcomes = batch.run(args.port, lambda port, progress: vars(run(port, progress)))
    columns = [("mac", msg("batch.col_mac")), ("id", msg("batch.col_id")), ("name", msg("batch.col_name"))]
    for text in batch.table(outcomes, columns):
        print(text)
    return 0 if all(o.ok for o in outcomes) else EXIT_FAILED


def _names(pattern: str | None, count: int) -> list[str | None]:
    """--name for one port, or a pattern with {n} (1, 2, ...) for several."""
    if pattern is None:
        return [None] * count
    if count == 1:
        return [pattern]
    if "{n" not in pattern:
        raise ReallaborError("provision.name_pattern", EXIT_BAD_INPUT)
    return [pattern.format(n=i + 1) for i in range(count)]


def cmd_verify(args) -> int:
    from reallabor import verify

    checks = verify.verify(args.port, args.boot_seconds, args.data)
    for line in verify.report(args.port, checks):
        print(line)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise ReallaborError("verify.failed", EXIT_FAILED, port=args.port, count=len(failed))
    print(msg("verify.ready", port=args.port))
    return 0


def cmd_export(args) -> int:
    from reallabor import exports, store
    from reallabor.inventory import Inventory

    records = Inventory(args.data).select("site = ?", (args.site,)) if args.site else Inventory(args.data).select()
    if not records:
        raise ReallaborError("export.empty", EXIT_BAD_INPUT)
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.what == "mosquitto":
        store.write_secret(out, exports.mosquitto_passwd(records).encode())  # hashes: still keep them private
        acl = out.with_suffix(".acl")
        acl.write_text(exports.mosquitto_acl(records), encoding="utf-8")
        print(msg("export.written", path=out, count=len(records)))
        print(msg("export.written", path=acl, count=len(records)))
    elif args.what == "tts":
        text = exports.tts_csv(records)
        store.write_secret(out, text.encode())  # AppKeys
        lora = text.count("\n") - 1
        print(msg("export.written", path=out, count=lora) if lora else msg("export.no_lora"))
    else:
        try:
            pages = exports.label_sheet(records, out)
        except ImportError:
            raise ReallaborError("labels.missing", EXIT_MISSING_TOOL)
        print(msg("export.pages", path=out, count=len(records), pages=pages))
def cmd_faults(args) -> int:
    from reallabor import faults

    scenarios = faults.standard_scenarios(quick=args.quick)
    if args.only:
        chosen = [s for s in scenarios if args.only.lower() in s.name.lower()]
        if not chosen:
            raise ReallaborError("faults.unknown_scenario", EXIT_BAD_INPUT, name=args.only,
                                 names=", ".join(s.name for s in scenarios))
        scenarios = chosen
    transports = ["reallabor", "umqtt.simple"] if args.transport == "both" else [args.transport]
    table = faults.print_table(scenarios, transports, args.heap)
    ours = table.get("reallabor")
    if ours:
        total = ours["total"]
        crashed = sum(c.crashed for name, c in ours.items() if name != "total")
        if total.lost or total.duplicates or crashed:
            raise ReallaborError("faults.failed", EXIT_FAILED, transport="reallabor", lost=total.lost,
                                 duplicates=total.duplicates, crashed=crashed)
    return 0


def _lang_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--lang", choices=("de", "en"), default=argparse.SUPPRESS,
                   help="Sprache der Meldungen / language of messages (default: de, or from the locale)")
    return p


def build_parser() -> argparse.ArgumentParser:
    lang = _lang_option()
    parser = argparse.ArgumentParser(prog="reallabor", parents=[lang],
                                     description="Werkzeuge für reallabor-Sensorknoten / tools for reallabor sensor nodes")
    parser.add_argument("--version", action="version", version=f"reallabor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("trace", parents=[lang], help="Traces prüfen und erzeugen / check and make traces")
    tsub = t.add_subparsers(dest="trace_command", required=True)
    p = tsub.add_parser("validate", parents=[lang], help="report every problem with its line number")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_trace_validate)
    p = tsub.add_parser("info", parents=[lang], help="summarise a trace")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_trace_info)
    p = tsub.add_parser("samples", parents=[lang], help="(re)write the synthetic sample traces")
    p.add_argument("--dir", type=Path, default=Path("traces"))
    p.set_defaults(handler=cmd_trace_samples)

    p = sub.add_parser("replay", parents=[lang], help="Firmware auf einem Trace laufen lassen / run the firmware on a trace")
    p.add_argument("trace", type=Path)
    p.add_argument("--broker", help="mqtt://HOST:PORT (default: a private Mosquitto on a free port)")
    p.add_argument("--speed", default="max", help="max, realtime or a factor such as 60")
    p.add_argument("--heap", default="128K", help="MicroPython heap, as for micropython -X heapsize (default 128K)")
    p.add_argument("--config", type=Path, help="config.json for the device (default: from the trace header)")
    p.add_argument("--out", type=Path, help="write every message as a JSON line {t, topic, payload}")
    p.add_argument("--table", type=int, nargs="?", const=60, metavar="MINUTES",
                   help="show a table row every MINUTES of trace time (default 60)")
    p.add_argument("--plot", type=Path, help="write a PNG plot of the readings")
    p.set_defaults(handler=cmd_replay)
    p = sub.add_parser("boards", parents=[lang], help="bekannte Boards / known boards")
    p.add_argument("name", nargs="?", help="show one board's data (a name or a .json file)")
    p.set_defaults(handler=cmd_boards)

    p = sub.add_parser("flash", parents=[lang], help="MicroPython flashen / flash MicroPython (several ports in parallel)")
    p.add_argument("--board", required=True, help="board name (reallabor boards) or a board .json file")
    p.add_argument("--port", action="append", help="serial port; repeat for several boards (default: all USB serial ports)")
    p.add_argument("--image", type=Path, help="firmware .bin (default: the cached image for the board's build)")
    p.add_argument("--version", help="MicroPython version from the firmware cache (default: the newest)")
    p.add_argument("--with-app", action="store_true",
                   help="also write a LittleFS image with the compiled firmware and /board.json")
    p.add_argument("--baud", default="921600,460800,115200", help="baud rates to try, fastest first")
    p.set_defaults(handler=cmd_flash)

    f = sub.add_parser("firmware", parents=[lang], help="MicroPython-Images verwalten / manage MicroPython images")
    fsub = f.add_subparsers(dest="firmware_command", required=True)
    p = fsub.add_parser("add", parents=[lang], help="add a local image to the cache")
    p.add_argument("file", type=Path)
    p.add_argument("--build", required=True, help="e.g. ESP32_GENERIC, ESP32_GENERIC_S3-SPIRAM_OCT")
    p.add_argument("--version", required=True, help="e.g. 1.24.1")
    p.set_defaults(handler=cmd_firmware_add)
    p = fsub.add_parser("fetch", parents=[lang], help="download an official image, checked against its SHA-256")
    p.add_argument("--build", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--sha256", help="expected SHA-256 where none is pinned")
    p.set_defaults(handler=cmd_firmware_fetch)
    p = fsub.add_parser("list", parents=[lang], help="show the cached images")
    p.set_defaults(handler=cmd_firmware_list)

    p = sub.add_parser("deploy", parents=[lang], help="Firmware aufs Board / firmware onto boards")
    p.add_argument("--port", action="append", required=True, help="serial port; repeat for several boards")
    p.add_argument("--board", required=True, help="board name (reallabor boards) or a board .json file")
    p.add_argument("--dry-run", action="store_true", help="only show what would change")
    p.set_defaults(handler=cmd_deploy)

    p = sub.add_parser("virtual-board", parents=[lang],
                       help="virtuelles Board auf einem Pseudo-Terminal / a virtual board on a pseudo-terminal")
    p.add_argument("--flash", type=Path, help="directory that acts as the flash (default: a new temporary one)")
    p.add_argument("--mac", default="02:00:00:00:00:01", help="MAC address the board reports")
    p.add_argument("--count", type=int, default=1, help="start several boards (MACs count up)")
    p.add_argument("--trace", type=Path, help="a trace whose sensors answer on the virtual buses")
    p.add_argument("--bootloader", action="store_true",
                   help="simulate the ESP32 ROM serial bootloader instead (for esptool and reallabor flash); "
                        "--flash is then the flash file (a directory with --count)")
    p.add_argument("--chip", choices=("esp32", "esp32s3", "esp32c3"), default="esp32", help="with --bootloader")
    p.add_argument("--flash-size", type=int, default=4, choices=(2, 4, 8, 16), help="MB, with --bootloader")
    p.add_argument("--link", type=Path, help="with --bootloader: also reachable under this path (like /dev/serial/by-path)")
    p.add_argument("--max-baud", type=int, help="with --bootloader, a fault: corrupt data blocks above this baud rate")
    p.add_argument("--silent", action="store_true", help="with --bootloader, a fault: never answer")
    p.add_argument("--pace", action="store_true", help="with --bootloader: take as long as a real UART")
    p.set_defaults(handler=cmd_virtual_board)
    p = sub.add_parser("provision", parents=[lang], help="Identität und Zugangsdaten / identity and credentials")
    p.add_argument("--port", action="append", required=True, help="serial port; repeat for several boards")
    p.add_argument("--board", required=True, help="board name (reallabor boards) or a board .json file")
    p.add_argument("--site", required=True, help="site profile: a name in <data>/sites/ or a .json file")
    p.add_argument("--name", help="device name (default: its id); with several ports a pattern such as hof-{n:02}")
    p.add_argument("--new-secrets", action="store_true", help="new MQTT password and AppKey for known boards")
    p.add_argument("--data", type=Path, help="data directory (default: $REALLABOR_DATA or ~/.local/share/reallabor)")
    p.set_defaults(handler=cmd_provision)

    p = sub.add_parser("verify", parents=[lang], help="Board prüfen / check a board")
    p.add_argument("--port", required=True, help="serial port")
    p.add_argument("--boot-seconds", type=float, default=3.0, help="how long to watch the boot log (default 3)")
    p.add_argument("--data", type=Path, help="data directory with the inventory")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("export", parents=[lang], help="Exporte aus dem Inventar / exports from the inventory")
    p.add_argument("what", choices=("mosquitto", "tts", "labels"),
                   help="mosquitto: password file + .acl; tts: The Things Stack CSV; labels: PNG or PDF sheet")
    p.add_argument("--out", type=Path, required=True, help="output file")
    p.add_argument("--site", help="only devices of this site")
    p.add_argument("--data", type=Path, help="data directory with the inventory")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("faults", parents=[lang],
                       help="Fehlerszenarien gegen einen echten Mosquitto / fault scenarios against a real Mosquitto")
    p.add_argument("--transport", choices=("reallabor", "umqtt.simple", "both"), default="both")
    p.add_argument("--only", metavar="TEXT", help="only scenarios whose name contains TEXT")
    p.add_argument("--quick", action="store_true", help="shorter scenarios (as in the test suite)")
    p.add_argument("--heap", default="128K", help="MicroPython heap (default 128K)")
    p.set_defaults(handler=cmd_faults)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    set_language(getattr(args, "lang", None))
    try:
        return args.handler(args)
    except ReallaborError as e:
        print(f"reallabor: {e.message()}", file=sys.stderr)
        for line in e.details:
            print(f"  {line}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(msg("interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
