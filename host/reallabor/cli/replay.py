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
    p.add_argument("--frames", type=Path, help=msg("help.replay.frames"))


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
    if result.lorawan:
        _print_lora(result, args)
    if args.plot:
        from reallabor.monitor.plot import plot_states

        print(msg("replay.plot", path=plot_states(result.states, args.plot, args.trace.name, start_s)))
    return 0


def _print_summary(result, args) -> None:
    hours = result.virtual_ms / 3_600_000
    speedup = result.virtual_ms / 1000 / result.wall_s if result.wall_s else 0
    cycles, messages = (len(result.sampled), len(result.uplinks)) if result.lorawan else \
        (len(result.states), len(result.messages))
    heap = (
        msg("replay.heap", peak=f"{result.heap_peak / 1024:.1f}", total=f"{result.heap_total / 1024:.0f}")
        if result.heap_peak is not None else "-"
    )
    errors = sum(result.sensor_errors.values())
    print(msg("replay.summary", cycles=cycles, messages=messages, errors=errors,
              heap=heap, hours=f"{hours:.1f}", wall=f"{result.wall_s:.1f}", speedup=f"{speedup:.0f}"))
    for (sensor, health), count in sorted(result.sensor_errors.items()):
        print(msg("replay.sensor_error", sensor=sensor, health=health, count=count, hint=msg("health.hint." + health)),
              file=sys.stderr)
    if args.out:
        print(msg("replay.out", path=args.out))


def _print_lora(result, args) -> None:
    from reallabor.sim import lorareplay

    lora = result.lorawan
    stats = lora.server.stats
    frames = lora.frames
    downs = [f for f in frames if f["dir"] == "down"]
    print(msg("replay.lora", joins=stats.joins, requests=stats.join_requests, uplinks=stats.uplinks,
              readings=len({s for s, _ in lorareplay.full_seqs(result.uplinks)}), downlinks=len(downs),
              lost=sum(1 for f in downs if f.get("lost"))))
    air = lorareplay.airtime(frames, result.virtual_ms)
    for day, (seconds, downlinks) in enumerate(air.days, start=1):
        print(msg("replay.lora_day", day=day, airtime=f"{seconds:.1f}", budget=f"{lorareplay.FAIR_USE_AIRTIME_S:.0f}",
                  downlinks=downlinks, max_downlinks=lorareplay.FAIR_USE_DOWNLINKS))
    print(msg("replay.lora_worst", airtime=f"{air.worst_airtime_s:.1f}", downlinks=air.worst_downlinks,
              verdict=msg("replay.lora_within" if air.within_budget else "replay.lora_over")))
    waits = lorareplay.waits(result.console)
    duty, fair = waits.get("duty_cycle", []), waits.get("fair_use", []) + waits.get("downlinks", [])
    print(msg("replay.lora_waits", duty=len(duty), duty_s=f"{sum(duty) / 1000:.0f}", fair=len(fair),
              fair_s=f"{sum(fair) / 1000:.0f}", joins=len(waits.get("join_backoff", []))))
    if stats.fcnt_reused or stats.dev_nonce_refused:
        print(msg("replay.lora_reuse", fcnt=stats.fcnt_reused, nonces=stats.dev_nonce_refused))
    if args.frames:
        lora.write_frames(args.frames)
        print(msg("replay.frames", path=args.frames))


def args_faults(p) -> None:
    p.add_argument("--only", metavar="TEXT", help=msg("help.faults.only"))
    p.add_argument("--quick", action="store_true", help=msg("help.faults.quick"))
    p.add_argument("--heap", default="128K", help=msg("help.replay.heap"))


def run_faults(args) -> int:
    from reallabor.sim import replay, scenarios

    replay.heap_bytes(args.heap)  # before the first scenario runs
    every = scenarios.standard_scenarios(quick=args.quick) + scenarios.lora_scenarios(quick=args.quick)
    chosen = [s for s in every if not args.only or args.only.lower() in s.name.lower()]
    if not chosen:
        raise ReallaborError("faults.unknown_scenario", EXIT_BAD_INPUT, name=args.only,
                             names=", ".join(s.name for s in every))
    mqtt = [s for s in chosen if not s.lora]
    lora = [s for s in chosen if s.lora]
    ours = scenarios.OURS.name
    if mqtt:
        table = scenarios.print_table(mqtt, [scenarios.OURS], args.heap)
        total = table[ours]["total"]
        crashed = sum(c.crashed for name, c in table[ours].items() if name != "total")
        if total.lost or total.duplicates or crashed:
            raise ReallaborError("faults.failed", EXIT_FAILED, transport=ours, lost=total.lost,
                                 duplicates=total.duplicates, crashed=crashed)
    if lora:
        table = scenarios.print_lora_table(lora, [scenarios.OURS], args.heap)
        failures = {s.name: scenarios.lora_failures(s, table[ours][s.name]) for s in lora}
        failed = [f"{name}: {', '.join(bad)}" for name, bad in failures.items() if bad]
        if failed:
            raise ReallaborError("faults.lora_failed", EXIT_FAILED, details=failed, transport=ours)
    return 0
