"""One job on many ports at once, for every command that works on boards (flash, deploy,
provision, verify): a worker thread per port, a live line per port while they run, and one table
at the end. A failure on one port never stops the others. Jobs report progress as message keys and
return their table columns as data; this module is the only one that draws them."""

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg

BY_PATH = Path("/dev/serial/by-path")


def stable_name(port: str) -> str:
    """The /dev/serial/by-path name of a device (it stays the same when boards are replugged in the
    same USB socket), or the name as given."""
    real = os.path.realpath(port)
    if BY_PATH.is_dir():
        for link in sorted(BY_PATH.iterdir()):
            if os.path.realpath(link) == real:
                return str(link)
    return port


def detected_ports() -> list[str]:
    """USB serial ports, under their stable names."""
    from serial.tools import list_ports

    return sorted(stable_name(p.device) for p in list_ports.comports() if p.vid is not None)


def check_ports(ports: list[str]) -> list[str]:
    """The ports of a command line: at least one, none twice (also not under two names)."""
    if not ports:
        raise ReallaborError("ports.none", EXIT_BAD_INPUT)
    seen = {}
    for p in ports:
        real = os.path.realpath(p)
        if real in seen:
            raise ReallaborError("ports.twice", EXIT_BAD_INPUT, port=p, other=seen[real])
        seen[real] = p
    return ports


@dataclass
class Outcome:
    port: str
    name: str  # as shown to people (stable_name)
    ok: bool = False
    status: tuple = ("ports.waiting", {})  # (message key, parameters): the last progress, then the result
    columns: dict = field(default_factory=dict)  # what the job returned, for the table
    error: ReallaborError | None = None
    notes: list = field(default_factory=list)  # (message key, parameters) to show below the table


def run(ports: list[str], job, out=None, refresh_s: float = 0.2) -> list[Outcome]:
    """job(port, progress) -> dict of table columns (a "notes" entry: list of (key, params));
    progress(key, **params) updates the port's line. Raising ReallaborError marks the port failed
    with that message."""
    out = out or sys.stderr
    outcomes = [Outcome(p, stable_name(p)) for p in ports]
    lock = threading.Lock()

    def work(o: Outcome) -> None:
        def progress(key: str, **params) -> None:
            with lock:
                o.status = (key, params)

        try:
            columns = dict(job(o.port, progress) or {})
        except ReallaborError as e:
            o.error, o.columns, o.status = e, e.columns, ("ports.failed", {})
        except Exception as e:  # a bug must not take the other ports down; say what it was
            o.error = ReallaborError("ports.unexpected", error=f"{type(e).__name__}: {e}")
            o.status = ("ports.failed", {})
        else:
            o.notes = columns.pop("notes", [])
            o.ok, o.columns, o.status = True, columns, ("ports.ok", {})

    threads = [threading.Thread(target=work, args=(o,), daemon=True) for o in outcomes]
    for t in threads:
        t.start()
    view = LiveLines(out, [o.name for o in outcomes])
    while any(t.is_alive() for t in threads):
        with lock:
            view.show([msg(k, **p) for k, p in (o.status for o in outcomes)])
        time.sleep(refresh_s)
    view.show([msg(k, **p) for k, p in (o.status for o in outcomes)])
    return outcomes


class LiveLines:
    """On a terminal: one line per port, redrawn in place. Elsewhere (CI logs, pipes): a line
    whenever a port's status changes."""

    def __init__(self, out, names):
        self.out = out
        self.names = names
        self.width = max(len(n) for n in names)
        # Redrawing needs ANSI cursor movement; classic Windows consoles print it as text.
        self.tty = hasattr(out, "isatty") and out.isatty() and os.name != "nt"
        self.last: list[str] | None = None

    def show(self, statuses: list[str]) -> None:
        if statuses == self.last:
            return
        lines = [f"{n:{self.width}}  {s}" for n, s in zip(self.names, statuses)]
        if self.tty:
            if self.last is not None:
                self.out.write(f"\x1b[{len(lines)}A")
            self.out.write("".join(f"\r\x1b[2K{line[:160]}\n" for line in lines))
        else:
            for i, line in enumerate(lines):
                if self.last is None or statuses[i] != self.last[i]:
                    self.out.write(line + "\n")
        self.out.flush()
        self.last = list(statuses)


def table(outcomes: list[Outcome], columns: list[tuple[str, str]]) -> list[str]:
    """Summary rows: port, result, then the job's columns as (key, heading message key) pairs;
    then each failure in words, the notes, and a count."""
    head = [msg("ports.col.port"), msg("ports.col.result")] + [msg(h) for _, h in columns]
    rows = [[o.name, msg("ports.ok") if o.ok else msg("ports.failed")]
            + [str(o.columns.get(k, "") if o.columns.get(k) is not None else "-") for k, _ in columns]
            for o in outcomes]
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head] + rows]
    for o in outcomes:
        if o.error:
            lines.append(f"{o.name}: {o.error.message()}")
            lines += [f"    {d}" for d in o.error.detail_lines()]
        lines += [f"{o.name}: {msg(k, **p)}" for k, p in o.notes]
    ok = sum(o.ok for o in outcomes)
    lines.append(msg("ports.summary", ok=ok, failed=len(outcomes) - ok))
    return lines
