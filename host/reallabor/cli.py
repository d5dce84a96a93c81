"""The `reallabor` command: parses options, calls plain functions, and maps every ReallaborError
to a message and an exit code in one place."""

import argparse
import json
import sys
from pathlib import Path

from reallabor import __version__
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
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
    import threading

    from reallabor.romsim import BootloaderBoard, Faults

    faults = Faults(max_baud=args.max_baud, silent=args.silent)
    board = BootloaderBoard(args.chip, args.flash, args.flash_size << 20, bytes.fromhex(args.mac.replace(":", "")),
                            faults, args.link, args.pace)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print(msg("vboard.bootloader", chip=args.chip, path=board.path, flash=args.flash), flush=True)
    with board:
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
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

    p = sub.add_parser("virtual-board", parents=[lang], help="ein simuliertes Board / a simulated board on a pty")
    p.add_argument("--bootloader", action="store_true", required=True,
                   help="simulate the ESP32 ROM serial bootloader (for esptool and reallabor flash)")
    p.add_argument("--chip", choices=("esp32", "esp32s3", "esp32c3"), default="esp32")
    p.add_argument("--flash", type=Path, required=True, help="file that holds the board's flash")
    p.add_argument("--flash-size", type=int, default=4, choices=(2, 4, 8, 16), help="MB (default 4)")
    p.add_argument("--mac", default="24:0a:c4:00:00:01")
    p.add_argument("--link", type=Path, help="also reachable under this path (a symlink, like /dev/serial/by-path)")
    p.add_argument("--max-baud", type=int, help="fault: corrupt data blocks above this baud rate")
    p.add_argument("--silent", action="store_true", help="fault: never answer (no serial data)")
    p.add_argument("--pace", action="store_true", help="take as long as a real UART at the current baud rate")
    p.set_defaults(handler=cmd_virtual_board_bootloader)
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
