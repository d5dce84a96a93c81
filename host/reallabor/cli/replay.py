"""reallabor replay, reallabor faults"""

import sys
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.firmware import console
from reallabor.i18n import msg


def args_replay(p) -> None:
    p.add_argument("trace", type=Path, help=msg("help.trace.file"))
    p.add_argument("--broker", help=msg("help.replay.broker"))
    p.add_argument("--speed", default="max", help=msg("help.replay.speed"))
    p.add_argument("--heap", default="128K", help=msg("help.replay.heap"))
    p.add_argument("--config", type=Path, help=msg("help.replay.config"))
    p.add_argument("--out", type=Path, help=msg("help.replay.out"))
    p.add_argument("--table", type=int, nargs="?", const=60, metavar="MINUTES", help=msg("help.replay.table"))
    p.add_argument("--plot", type=Path, help=msg("help.replay.plot"))


def run_replay(args) -> int:
    from reallabor.monitor.table import Table
    from reallabor.sim import replay

    from reallabor.traces import fileformat

    config = replay.load_config(args.config) if args.config else None
    start_s = fileformat.load(args.trace).epoch_ms // 1000
    table = Table(every_ms=args.table * 60_000, start_s=start_s) if args.table else None

    def show(m):
        if table and m.topic.endswith("/state"):
            table.add(m.t, m.payload)

    result = replay.run(args.trace, args.broker, args.speed, args.heap, config, on_message=show)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(m.as_json() + "\n" for m in result.messages), encoding="utf-8")
    if result.returncode != 0:
        details = [line for line in result.console if not console.parse(line)][-20:]
        details += result.stderr.strip().splitlines()[-30:]
        raise ReallaborError("replay.crash", EXIT_FAILED, details=details, code=result.returncode)
    for line in result.stderr.strip().splitlines():
        print(msg("replay.sim_says", text=line), file=sys.stderr)
    _print_summary(result, args)
    if args.plot:
        from reallabor.monitor.plot import plot_states

        print(msg("replay.plot", path=plot_states(result.states, args.plot, args.trace.name, start_s)))
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


def args_faults(p) -> None:
    p.add_argument("--only", metavar="TEXT", help=msg("help.faults.only"))
    p.add_argument("--quick", action="store_true", help=msg("help.faults.quick"))
    p.add_argument("--heap", default="128K", help=msg("help.replay.heap"))


def run_faults(args) -> int:
    from reallabor.sim import scenarios

    chosen = scenarios.standard_scenarios(quick=args.quick)
    if args.only:
        chosen = [s for s in chosen if args.only.lower() in s.name.lower()]
        if not chosen:
            raise ReallaborError("faults.unknown_scenario", EXIT_BAD_INPUT, name=args.only,
                                 names=", ".join(s.name for s in scenarios.standard_scenarios(args.quick)))
    table = scenarios.print_table(chosen, [scenarios.OURS], args.heap)
    total = table[scenarios.OURS.name]["total"]
    crashed = sum(c.crashed for name, c in table[scenarios.OURS.name].items() if name != "total")
    if total.lost or total.duplicates or crashed:
        raise ReallaborError("faults.failed", EXIT_FAILED, transport=scenarios.OURS.name, lost=total.lost,
                             duplicates=total.duplicates, crashed=crashed)
    return 0
