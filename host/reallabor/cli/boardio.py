"""reallabor deploy, provision, verify: the firmware, identity and a check for boards on serial ports."""

from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.cli import many
from reallabor.i18n import msg


def _ports_and_board(p) -> None:
    p.add_argument("--port", action="append", required=True, help=msg("help.port"))
    p.add_argument("--board", required=True, help=msg("help.board"))


def args_deploy(p) -> None:
    _ports_and_board(p)
    p.add_argument("--dry-run", action="store_true", help=msg("help.deploy.dry_run"))


def run_deploy(args) -> int:
    from reallabor.boardio import deploy

    def job(port, progress):
        r = deploy.deploy(port, args.board, args.dry_run, progress)
        return {"result": r, "files": len(r.plan.to_write), "seconds": f"{r.seconds:.1f}"}

    return many.run(args.port, job, [("files", "ports.col.files"), ("seconds", "ports.col.seconds")],
                    lambda columns: deploy_report(columns["result"]))


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
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_provision(args) -> int:
    from reallabor.boardio import provision

    names = device_names(args.name, len(args.port))

    def job(port, progress):
        r = provision.provision(port, args.board, args.site, names[args.port.index(port)], args.data,
                                args.new_secrets, progress)
        return vars(r)

    def one(r):
        return [msg("provision.done", port=r["port"], id=r["id"], name=r["name"], mac=r["mac"], board=r["board"],
                    config=r["config_hash"], firmware=r["firmware"],
                    written=msg("provision.written" if r["written"] else "provision.unchanged"))]

    return many.run(args.port, job, [("mac", "ports.col.mac"), ("id", "ports.col.id"), ("name", "ports.col.name")],
                    one)


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


def args_verify(p) -> None:
    p.add_argument("--port", action="append", required=True, help=msg("help.port"))
    p.add_argument("--boot-seconds", type=float, default=3.0, help=msg("help.verify.boot_seconds"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_verify(args) -> int:
    from reallabor.boardio import verify

    def job(port, progress):
        checks = verify.verify(port, args.boot_seconds, args.data, progress=progress)
        failed = [c for c in checks if not c.ok]
        columns = {"checks": checks, "port": port, "failed": len(failed)}
        if failed:
            error = ReallaborError("verify.failed", EXIT_FAILED, port=port, count=len(failed))
            error.columns = columns
            raise error
        return columns

    def one(columns):
        ready = [] if columns["failed"] else [msg("verify.ready", port=columns["port"])]
        return verify_report(columns["port"], columns["checks"]) + ready

    return many.run(args.port, job, [("failed", "ports.col.failed_checks")], one)


def verify_report(port: str, checks) -> list[str]:
    lines = [msg("verify.title", port=port)]
    for c in checks:
        lines.append(f"  [{'ok' if c.ok else '!!'}] {msg('verify.check.' + c.what):12} {msg(c.key, **c.params)}")
    return lines
