"""reallabor deploy, provision, verify: the firmware, identity and a check for boards on serial ports."""

from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, ReallaborError
from reallabor.cli import many
from reallabor.i18n import msg


def _ports_and_board(p) -> None:
    p.add_argument("--port", action="append", required=True, help=msg("help.port"))
    p.add_argument("--board", required=True, help=msg("help.board"))


def _wait(p) -> None:
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=msg("help.wait"))


def wait_for(port: str, given: float | None, data: Path | None) -> float:
    """How long to wait for a board to answer: --wait, else longer than the sleep of a node the
    inventory knows deep-sleeps on this port, else the usual 10 s."""
    from reallabor.boardio import ports, repl
    from reallabor.fleet.inventory import Inventory

    if given is not None:
        return given
    inventory = Inventory.existing(data)
    known = inventory.on_port(ports.stable_name(port)) if inventory else None
    if known and known.deep_sleep:
        return min(known.interval_s + 15, repl.MAX_SLEEP_WAIT_S)
    return repl.WAIT_S


def args_deploy(p) -> None:
    _ports_and_board(p)
    p.add_argument("--dry-run", action="store_true", help=msg("help.deploy.dry_run"))
    p.add_argument("--force", action="store_true", help=msg("help.deploy.force"))
    _wait(p)
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_deploy(args) -> int:
    from reallabor import boards
    from reallabor.boardio import deploy, ports

    board = boards.load(args.board)  # a wrong board is bad input before any port is touched
    claims = ports.Claims()

    def job(port, progress):
        r = deploy.deploy(port, args.board, args.dry_run, progress, wait=wait_for(port, args.wait, args.data),
                          data=args.data, force=args.force, claim=claims)
        return {"result": r, "mac": r.mac, "files": len(r.plan.to_write), "seconds": f"{r.seconds:.1f}"}

    return many.run(args.port, job, [("mac", "ports.col.mac"), ("files", "ports.col.files"),
                                     ("seconds", "ports.col.seconds")],
                    lambda columns: deploy_report(columns["result"]),
                    advice=lambda o: deploy.after_interrupt(o, board.name))


def deploy_report(result) -> list[str]:
    """What changed (or would change), file by file, and a summary line."""
    plan = result.plan
    lines = [msg("deploy.file_new", path=p, size=len(plan.files[p])) for p in plan.new]
    lines += [msg("deploy.file_changed", path=p, size=len(plan.files[p])) for p in plan.changed]
    lines += [msg("deploy.file_removed", path=p) for p in plan.removed]
    counts = dict(port=result.port, written=len(plan.new) + len(plan.changed), removed=len(plan.removed),
                  same=len(plan.same))
    if result.dry_run:
        lines.append(msg("deploy.dry", **counts))
    else:
        lines.append(msg("deploy.done", seconds=f"{result.seconds:.1f}", firmware=result.firmware, **counts))
    return lines


def args_provision(p) -> None:
    _ports_and_board(p)
    p.add_argument("--site", required=True, help=msg("help.provision.site"))
    p.add_argument("--name", help=msg("help.provision.name"))
    p.add_argument("--new-secrets", action="store_true", help=msg("help.provision.new_secrets"))
    _wait(p)
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_provision(args) -> int:
    from reallabor import boards
    from reallabor.boardio import ports, provision
    from reallabor.fleet import sites

    boards.load(args.board)  # bad input first, before any port is touched
    sites.load(args.site, args.data)
    names = device_names(args.name, len(args.port))
    for name in names:
        if name is not None:
            check_name(name)
    claims = ports.Claims()

    def job(port, progress):
        r = provision.provision(port, args.board, args.site, names[args.port.index(port)], args.data,
                                args.new_secrets, progress, wait=wait_for(port, args.wait, args.data), claim=claims)
        return {**vars(r), "notes": r.changes}

    def one(r):
        return [msg("provision.done", port=r["port"], id=r["id"], name=r["name"], mac=r["mac"], board=r["board"],
                    config=r["config_hash"], firmware=r["firmware"],
                    written=msg("provision.written" if r["written"] else "provision.unchanged"))]

    def footer(outcomes):
        fresh = sorted({o.columns["id"] for o in outcomes if o.ok and o.columns.get("new_secrets")}
                       | {o.reached("provision.stage.recorded")["id"] for o in outcomes
                          if not o.ok and o.reached("provision.stage.recorded")
                          and o.reached("provision.stage.recorded")["new_secrets"]})
        return [("provision.export_again", {"ids": ", ".join(fresh), "count": len(fresh)})] if fresh else []

    return many.run(args.port, job, [("mac", "ports.col.mac"), ("id", "ports.col.id"), ("name", "ports.col.name")],
                    one, advice=provision.after_interrupt, footer=footer)


def device_names(pattern: str | None, count: int) -> list[str | None]:
    """--name for one port, or a pattern with {n} (1, 2, ...) for several."""
    if pattern is None:
        return [None] * count
    if count == 1:
        return [pattern]
    if "{n" not in pattern:
        raise ReallaborError("provision.name_pattern", EXIT_BAD_INPUT)
    try:
        return [pattern.format(n=i + 1) for i in range(count)]
    except (ValueError, KeyError, IndexError):
        raise ReallaborError("provision.name_pattern", EXIT_BAD_INPUT) from None


def check_name(name: str) -> None:
    """A device name goes into the ACL, the CSV and the labels: refused before any port is touched."""
    from reallabor.fleet import fields

    why = fields.name_problem(name)
    if why:
        raise ReallaborError("provision.bad_name", EXIT_BAD_INPUT, name=fields.shown(name),
                             why=msg(why, max=fields.NAME_MAX), max=fields.NAME_MAX)


def args_verify(p) -> None:
    p.add_argument("--port", action="append", required=True, help=msg("help.port"))
    p.add_argument("--broker", metavar="mqtt://USER@HOST:PORT", help=msg("help.verify.broker"))
    p.add_argument("--ca", type=Path, help=msg("help.verify.ca"))
    p.add_argument("--delivery-seconds", type=float, default=None, metavar="SECONDS",
                   help=msg("help.verify.delivery_seconds"))
    p.add_argument("--no-delivery", action="store_true", help=msg("help.verify.no_delivery"))
    p.add_argument("--boot-seconds", type=float, default=3.0, help=msg("help.verify.boot_seconds"))
    _wait(p)
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_verify(args) -> int:
    from reallabor.boardio import verify
    from reallabor.fleet.datadir import broker_password
    from reallabor.mqtt.url import parse_url

    url = parse_url(args.broker) if args.broker else None
    broker = verify.Broker(url, broker_password(args.data, url.user) if url else None,
                           str(args.ca) if args.ca else None)
    delivery_s = args.delivery_seconds or verify.DELIVERY_S

    def job(port, progress):
        checks = verify.verify(port, args.boot_seconds, args.data, progress=progress,
                               wait=wait_for(port, args.wait, args.data), broker=broker, delivery_s=delivery_s,
                               delivery=not args.no_delivery, password=lambda user: broker_password(args.data, user))
        failed = [c for c in checks if not c.ok]
        columns = {"checks": checks, "port": port, "failed": len(failed),
                   "delivered": next((msg("ports.yes") if c.ok else msg("ports.no")
                                      for c in checks if c.what == "delivery"), "-")}
        if failed:
            error = ReallaborError("verify.failed", EXIT_FAILED, port=port, count=len(failed))
            error.columns = columns
            raise error
        return columns

    def one(columns):
        ready = [] if columns["failed"] else [msg("verify.ready", port=columns["port"])]
        return verify_report(columns["port"], columns["checks"]) + ready

    def report_all(outcomes):  # with several ports: each board's findings below the table
        return [("verify.report_line", {"line": line}) for o in outcomes if o.columns.get("checks")
                for line in verify_report(o.name, o.columns["checks"])] if len(outcomes) > 1 else []

    return many.run(args.port, job, [("failed", "ports.col.failed_checks"), ("delivered", "ports.col.delivered")], one,
                    footer=report_all)


def verify_report(port: str, checks) -> list[str]:
    lines = [msg("verify.title", port=port)]
    for c in checks:
        lines.append(f"  [{'ok' if c.ok else '!!'}] {msg('verify.check.' + c.what):12} {msg(c.key, **c.params)}")
    return lines


def args_ports(p) -> None:
    p.add_argument("--no-probe", action="store_true", help=msg("help.ports.no_probe"))
    p.add_argument("--probe-bootloader", action="store_true", help=msg("help.ports.probe_bootloader"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_ports(args) -> int:
    from reallabor.boardio import ports, survey
    from reallabor.fleet.inventory import Inventory

    found = survey.listing(args.data)
    if not found:
        print(msg("survey.none"))
        return 0
    if not args.no_probe:
        by_name = {p.port: p for p in found}
        todo = [p.port for p in found if not p.users]  # a port another program reads is left alone
        outcomes = ports.run(todo, lambda port, progress: {"port": survey.probe(by_name[port], progress, args.data,
                                                                                  args.probe_bootloader)})
        if outcomes.interrupted:
            print(msg("interrupted"))
            return EXIT_INTERRUPTED
    inventory = Inventory.existing(args.data)
    head = [msg(k) for k in ("ports.col.port", "survey.col.kind", "survey.col.answer", "ports.col.chip",
                             "ports.col.mac", "survey.col.micropython", "survey.col.firmware", "survey.col.device",
                             "survey.col.known")]
    rows = [[p.port, msg("survey.kind." + p.kind) + (f" {p.usb}" if p.usb else ""),
             msg("survey.answer." + p.answer) if p.answer else "-", p.chip or "-", p.mac or "-",
             p.micropython or "-", msg("survey.fw.current") if p.firmware == "current" else p.firmware or "-",
             p.device or "-", p.known or "-"] for p in found]
    for line in ports.grid(head, rows):
        print(line)
    for p in found:
        if p.users:
            print(f"{p.port}: {msg('survey.in_use', programs=', '.join(f'{n} (PID {pid})' for pid, n in p.users))}")
        if p.problem:
            print(f"{p.port}: {msg(p.problem[0], **p.problem[1])}")
        if p.answer == "nothing":
            asleep = inventory.on_port(p.port) if inventory else None
            if asleep and asleep.deep_sleep:
                print(f"{p.port}: {msg('survey.maybe_asleep', id=asleep.id, interval=asleep.interval_s)}")
            elif p.kind == "virtual-rom":
                print(f"{p.port}: {msg('survey.virtual_rom')}")
            elif not args.probe_bootloader:
                print(f"{p.port}: {msg('survey.try_bootloader')}")
    return 0
