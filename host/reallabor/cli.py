"""The `reallabor` command: parses options, calls plain functions, and maps every ReallaborError
to a message and an exit code in one place."""

import argparse
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
