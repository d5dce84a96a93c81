"""One job on many ports at once, for every command that works on boards (flash, deploy,
provision, verify): a worker thread per port, a live line per port while they run, and one table
at the end. A failure on one port never stops the others. Jobs report progress as message keys and
return their table columns as data; this module is the only one that draws them.

Ctrl-C stops a batch in order: every job stops at its next step (its progress call raises
Cancelled), the runner waits a little for them, and the table says for each port whether it was
done, not started, or stopped half-way, and what to do about it (the command's own words)."""

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, Cancelled, ReallaborError
from reallabor.i18n import msg

BY_PATH = Path("/dev/serial/by-path")
STOP_WAIT_S = 15  # after Ctrl-C: how long the jobs get to reach their next step


def stable_name(port: str) -> str:
    """The /dev/serial/by-path name of a device (it stays the same when boards are replugged in the
    same USB socket), or the name as given."""
    real = os.path.realpath(port)
    if BY_PATH.is_dir():
        for link in sorted(BY_PATH.iterdir()):
            if os.path.realpath(link) == real:
                return str(link)
    return port


def detected_ports(virtual: list[str] = ()) -> list[str]:
    """USB serial ports, under their stable names, then the virtual boards given."""
    from serial.tools import list_ports

    usb = sorted(stable_name(p.device) for p in list_ports.comports() if p.vid is not None)
    return usb + [v for v in virtual if v not in usb]


def port_exists(port: str) -> bool:
    """False only where we can tell: on POSIX a port is a file; Windows' COM names are not."""
    return os.name != "posix" or os.path.exists(port)


def check_ports(ports: list[str]) -> list[str]:
    """The ports of a command line: at least one, each one there, none twice (also not under two
    names: a symlink and its target, a by-path name and /dev/ttyUSB0)."""
    if not ports:
        raise ReallaborError("ports.none", EXIT_BAD_INPUT)
    missing = [p for p in ports if not port_exists(p)]
    if missing:
        raise ReallaborError("ports.not_found", EXIT_BAD_INPUT, ports=", ".join(missing), count=len(missing))
    seen = {}
    for p in ports:
        real = os.path.realpath(p)
        if real in seen:
            raise ReallaborError("ports.twice", EXIT_BAD_INPUT, port=p, other=seen[real])
        seen[real] = p
    return ports


class Claims:
    """One board per MAC in a batch: claims(mac, port) refuses a MAC that another port of the same
    batch reported already (the same board on two paths that are no symlinks, or two boards
    sharing a MAC). The later port fails before it writes anything."""

    def __init__(self):
        self._seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, mac: str, port: str) -> None:
        with self._lock:
            other = self._seen.setdefault(mac, port)
        if other != port:
            raise ReallaborError("ports.same_mac", EXIT_FAILED, mac=mac, port=port, other=other)


# what became of a port
DONE, FAILED, NOT_STARTED, STOPPED = "done", "failed", "not_started", "stopped"


@dataclass
class Outcome:
    port: str
    name: str  # as shown to people (stable_name)
    ok: bool = False
    status: tuple = ("ports.waiting", {})  # (message key, parameters): the last progress, then the result
    columns: dict = field(default_factory=dict)  # what the job returned, for the table
    error: ReallaborError | None = None
    notes: list = field(default_factory=list)  # (message key, parameters) to show below the table
    stages: list = field(default_factory=list)  # every (key, parameters) the job reported, in order
    state: str = NOT_STARTED

    def reached(self, key: str) -> dict | None:
        """The parameters of the last report of a stage, or None if the job never got there."""
        return next((params for k, params in reversed(self.stages) if k == key), None)


class Outcomes(list):
    """The outcomes in port order; interrupted: Ctrl-C ended the batch."""

    interrupted = False


class Progress:
    """What a job calls to report a step: progress(key, **params). The step is recorded (it has
    begun), and after Ctrl-C the call then raises Cancelled, so the job stops at a step boundary; a
    job that waits long between steps asks progress.cancelled itself."""

    def __init__(self, outcome: Outcome, lock: threading.Lock, cancel: threading.Event):
        self._o, self._lock, self._cancel = outcome, lock, cancel

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def found(self, **columns) -> None:
        """Table columns known before the job ends (a MAC, a device id), shown even if it stops."""
        with self._lock:
            self._o.columns.update(columns)

    def __call__(self, key: str, **params) -> None:
        with self._lock:  # what a job reports has happened (or begun), even when it stops here
            self._o.status = (key, params)
            self._o.stages.append((key, params))
        if self._cancel.is_set():
            raise Cancelled()


def _stopped(o: Outcome) -> None:
    o.state = STOPPED if o.stages else NOT_STARTED
    o.status = ("ports.stopped" if o.stages else "ports.not_started", {})


def run(ports: list[str], job, out=None, refresh_s: float = 0.2) -> Outcomes:
    """job(port, progress) -> dict of table columns (a "notes" entry: list of (key, params));
    progress(key, **params) updates the port's line (see Progress). Raising ReallaborError marks
    the port failed with that message. Ctrl-C (KeyboardInterrupt here, in the main thread) stops
    the batch: the result's `interrupted` is set and each outcome's state tells how far it got."""
    out = out or sys.stderr
    outcomes = Outcomes(Outcome(p, stable_name(p)) for p in ports)
    lock = threading.Lock()
    cancel = threading.Event()
    closed = []  # set once the table is drawn: a job that ends later changes nothing

    def work(o: Outcome) -> None:
        try:
            columns = dict(job(o.port, Progress(o, lock, cancel)) or {})
            error = None
        except Cancelled:
            columns, error = None, None
        except ReallaborError as e:
            columns, error = None, e
        except Exception as e:  # a bug must not take the other ports down; say what it was
            columns, error = None, ReallaborError("ports.unexpected", error=f"{type(e).__name__}: {e}")
        with lock:
            if closed:
                return
            if error:
                o.error, o.status, o.state = error, ("ports.failed", {}), FAILED
                o.columns = {**o.columns, **error.columns}
            elif columns is None:
                _stopped(o)
            else:
                o.notes = columns.pop("notes", [])
                o.ok, o.columns, o.status, o.state = True, columns, ("ports.ok", {}), DONE

    threads = [threading.Thread(target=work, args=(o,), daemon=True) for o in outcomes]
    for t in threads:
        t.start()
    view = LiveLines(out, [o.name for o in outcomes])

    def show() -> None:
        with lock:
            statuses = [(k, p) for k, p in (o.status for o in outcomes)]
        view.show([msg(k, **p) for k, p in statuses])

    def wait(deadline: float | None) -> None:
        while any(t.is_alive() for t in threads) and (deadline is None or time.monotonic() < deadline):
            show()
            time.sleep(refresh_s)

    try:
        wait(None)
    except KeyboardInterrupt:
        outcomes.interrupted = True
        cancel.set()
        try:
            wait(time.monotonic() + STOP_WAIT_S)
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait for them any longer
            pass
        with lock:
            for o, t in zip(outcomes, threads):
                if t.is_alive():  # still busy with a step: it stops where it is
                    _stopped(o)
            closed.append(True)
    show()
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


def grid(head: list[str], rows: list[list[str]]) -> list[str]:
    """A plain-text table: columns as wide as their widest cell, two spaces apart."""
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head] + rows]


_RESULT = {DONE: "ports.ok", FAILED: "ports.failed", NOT_STARTED: "ports.not_started", STOPPED: "ports.stopped"}


def table(outcomes: list[Outcome], columns: list[tuple[str, str]], advice=None) -> list[str]:
    """Summary rows: port, result, then the job's columns as (key, heading message key) pairs;
    then each failure in words, the notes, and a count. advice(outcome) -> [(key, params)]: what
    to do about a port that an interruption left half-way (or not started)."""
    head = [msg("ports.col.port"), msg("ports.col.result")] + [msg(h) for _, h in columns]
    rows = [[o.name, msg(_RESULT[o.state])]
            + [str(o.columns.get(k, "") if o.columns.get(k) is not None else "-") for k, _ in columns]
            for o in outcomes]
    lines = grid(head, rows)
    for o in outcomes:
        if o.error:
            lines.append(f"{o.name}: {o.error.message()}")
            lines += [f"    {d}" for d in o.error.detail_lines()]
        lines += [f"{o.name}: {msg(k, **p)}" for k, p in o.notes]
        if o.state in (NOT_STARTED, STOPPED):
            todo = advice(o) if advice else []
            lines += [f"{o.name}: {msg(k, **p)}" for k, p in todo or [("ports.advice.again", {})]]
    ok = sum(o.state == DONE for o in outcomes)
    failed = sum(o.state == FAILED for o in outcomes)
    if getattr(outcomes, "interrupted", False):
        lines.append(msg("ports.summary_interrupted", ok=ok, failed=failed,
                         stopped=sum(o.state == STOPPED for o in outcomes),
                         not_started=sum(o.state == NOT_STARTED for o in outcomes)))
    else:
        lines.append(msg("ports.summary", ok=ok, failed=failed))
    return lines
