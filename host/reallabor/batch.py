"""One job on many ports at once: a worker thread per port, a live progress line per port, and a
summary table at the end. A failure on one port never stops the others."""

import os
import sys
import threading
import time
from dataclasses import dataclass, field

from reallabor.errors import ReallaborError
from reallabor.i18n import msg


@dataclass
class Outcome:
    port: str
    ok: bool = False
    status: str = ""  # the last progress text, then the result or the error message
    columns: dict = field(default_factory=dict)  # what the job returned, for the table
    details: list = field(default_factory=list)  # an error's detail lines


def run(ports: list[str], job, out=None, refresh_s: float = 0.2) -> list[Outcome]:
    """job(port, progress) -> dict of table columns; progress(text) updates the port's line.
    Raising ReallaborError marks the port failed with that message."""
    out = out or sys.stderr
    outcomes = [Outcome(p, status=msg("batch.waiting")) for p in ports]
    lock = threading.Lock()

    def work(o: Outcome) -> None:
        def progress(text: str) -> None:
            with lock:
                o.status = text

        try:
            columns = job(o.port, progress)
        except ReallaborError as e:
            o.status, o.details = e.message(), e.details
        except Exception as e:  # a bug must not take the other ports down; say what it was
            o.status = msg("batch.unexpected", error=f"{type(e).__name__}: {e}")
        else:
            o.ok, o.columns, o.status = True, columns or {}, msg("batch.ok")

    threads = [threading.Thread(target=work, args=(o,), daemon=True) for o in outcomes]
    for t in threads:
        t.start()
    view = _LiveLines(out, ports)
    while any(t.is_alive() for t in threads):
        with lock:
            view.show([o.status for o in outcomes])
        time.sleep(refresh_s)
    view.show([o.status for o in outcomes])
    return outcomes


class _LiveLines:
    """On a terminal: one line per port, redrawn in place. Elsewhere (CI logs, pipes): a line
    whenever a port's status changes."""

    def __init__(self, out, ports):
        self.out = out
        self.ports = ports
        self.width = max(len(p) for p in ports)
        # Redrawing needs ANSI cursor movement; classic Windows consoles print it as text.
        self.tty = hasattr(out, "isatty") and out.isatty() and os.name != "nt"
        self.last: list[str] | None = None

    def show(self, statuses: list[str]) -> None:
        if statuses == self.last:
            return
        lines = [f"{p:{self.width}}  {s}" for p, s in zip(self.ports, statuses)]
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
    """Summary rows: port, result, then the job's columns as (key, heading) pairs."""
    head = [msg("batch.col_port"), msg("batch.col_result")] + [h for _, h in columns]
    rows = [[o.port, msg("batch.ok") if o.ok else msg("batch.failed")] + [str(o.columns.get(k, "")) for k, _ in columns]
            for o in outcomes]
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head] + rows]
    for o in outcomes:
        if not o.ok:
            lines.append(f"{o.port}: {o.status}")
            lines += [f"  {d}" for d in o.details]
    ok = sum(o.ok for o in outcomes)
    lines.append(msg("batch.summary", ok=ok, failed=len(outcomes) - ok))
    return lines
