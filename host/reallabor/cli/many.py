"""How every command that works on boards runs: the job on each port at once
(reallabor.boardio.ports), then a single port's own report, or the table for several. A batch
that Ctrl-C interrupted ends with the same table, which says for each port what became of it."""

from reallabor.boardio import ports
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED
from reallabor.i18n import msg


def run(port_list: list[str], job, columns: list[tuple[str, str]], report_one=None, advice=None,
        footer=None) -> int:
    """job(port, progress) -> columns. With one port and report_one(columns) -> lines, that port's
    own report is shown (also for a failure that has columns), and its failure is raised as it is,
    with its own exit code. Otherwise the table says which ports failed, and the exit code is 1 (2
    if a port turned out not to exist).
    advice(outcome) -> [(key, params)]: what to do about a port an interruption stopped half-way;
    footer(outcomes) -> [(key, params)]: lines below the table (e.g. "export again")."""
    outcomes = ports.run(ports.check_ports(port_list), job)
    tail = [msg(k, **p) for k, p in (footer(outcomes) if footer else [])]
    if outcomes.interrupted:
        for line in ports.table(outcomes, columns, advice) + tail:
            print(line)
        return EXIT_INTERRUPTED
    if report_one and len(outcomes) == 1:
        o = outcomes[0]
        if o.ok or o.error.columns:
            for line in report_one(o.columns):
                print(line)
        for key, params in o.notes:
            print(f"{o.name}: {msg(key, **params)}")
        for line in tail:
            print(line)
        if o.error:
            raise o.error
        return 0
    for line in ports.table(outcomes, columns) + tail:
        print(line)
    if all(o.ok for o in outcomes):
        return 0
    # a port that vanished since the start is bad input like one that never was: the same code
    return EXIT_BAD_INPUT if any(o.error and o.error.exit_code == EXIT_BAD_INPUT for o in outcomes) else EXIT_FAILED
