"""reallabor capture: a trace from a node, through its console, from its flash, or from a broker."""

import sys
import time
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg


def args_capture(p) -> None:
    p.add_argument("--port", help=msg("help.capture.port"))
    p.add_argument("--from-flash", action="store_true", help=msg("help.capture.from_flash"))
    p.add_argument("--broker", help=msg("help.capture.broker"))
    p.add_argument("--device", help=msg("help.capture.device"))
    p.add_argument("--board", help=msg("help.capture.board"))
    p.add_argument("--minutes", type=float, help=msg("help.capture.minutes"))
    p.add_argument("--out", type=Path, required=True, help=msg("help.capture.out"))


def run_capture(args) -> int:
    from reallabor.boardio import capture

    if bool(args.port) == bool(args.broker):
        raise ReallaborError("capture.port_or_broker", EXIT_BAD_INPUT)
    if args.from_flash and not args.port:
        raise ReallaborError("capture.flash_needs_port", EXIT_BAD_INPUT)
    if args.broker and not args.device:
        raise ReallaborError("capture.broker_needs_device", EXIT_BAD_INPUT)
    if args.minutes is not None and not args.minutes > 0:
        raise ReallaborError("capture.bad_minutes", EXIT_BAD_INPUT, value=args.minutes)
    if args.from_flash and args.minutes is not None:
        raise ReallaborError("capture.flash_minutes", EXIT_BAD_INPUT)
    capture.check_out(args.out)
    show = Progress()
    if args.broker:
        return _from_broker(args, show)
    capture.port_exists(args.port)
    if not args.from_flash:
        print(msg("capture.started", port=args.port, minutes=args.minutes or "-"), file=sys.stderr, flush=True)
    result = (capture.from_flash(args.port, args.out, show) if args.from_flash else
              capture.console_capture(args.port, args.out, args.minutes, show))
    show.done()
    for key, params in result.notes:
        print(msg(key, **params), file=sys.stderr)
    print(msg("capture.done", path=result.path, records=result.records, frames=result.frames, lost=result.lost,
              damaged=result.damaged, gaps=result.gaps, seconds=f"{result.seconds:.0f}"))
    if result.interrupted:
        print(msg("capture.stopped_by_user"), file=sys.stderr)
    if result.ended:
        print(msg("capture.node_ended"), file=sys.stderr)
    return 0


def _from_broker(args, show) -> int:
    import os

    from reallabor import boards
    from reallabor.mqtt.url import parse_url
    from reallabor.traces import fileformat, valuelevel

    parse_url(args.broker)  # a wrong address says what was expected
    board = boards.load(args.board).name if args.board else valuelevel.DEFAULT_BOARD
    print(msg("capture.broker_started", url=args.broker, device=args.device, minutes=args.minutes or "-"),
          file=sys.stderr, flush=True)
    vc = valuelevel.capture(args.broker, args.device, args.minutes, show)
    show.done()
    header, records = vc.trace(board)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    fileformat.write(tmp, header, records)
    os.replace(tmp, args.out)
    print(msg("capture.broker_done", path=args.out, count=vc.count, records=len(records), untimed=vc.untimed))
    return 0


class Progress:
    """records, bytes, elapsed time on one line of stderr (rewritten on a terminal, a line every
    10 s otherwise)."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, records=0, bytes=0, seconds=0, waiting=False, chunk=None, chunks=None):
        now = time.monotonic()
        if not self.tty and now - self.last < 10:
            return
        self.last = now
        key = "capture.waiting_for_port" if waiting else "capture.progress_chunk" if chunk else "capture.progress"
        text = msg(key, records=records, bytes=bytes, seconds=seconds, chunk=chunk, chunks=chunks)
        print(("\r" + text + "\033[K") if self.tty else text, end="" if self.tty else "\n", file=sys.stderr, flush=True)
        self.shown = True

    def done(self):
        if self.tty and self.shown:
            print(file=sys.stderr)
