"""reallabor trace validate|info|samples"""

from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import describe, msg
from reallabor.traces import fileformat


def args_validate(p) -> None:
    p.add_argument("file", type=Path, help=msg("help.trace.file"))


def run_validate(args) -> int:
    _summary, problems = fileformat.check(args.file)
    for p in problems:
        print(f"{args.file}: {describe(p)}")
    if problems:
        raise ReallaborError("trace.invalid", EXIT_BAD_INPUT, path=args.file, count=len(problems))
    print(msg("trace.valid", path=args.file))
    return 0


def args_info(p) -> None:
    p.add_argument("file", type=Path, help=msg("help.trace.file"))


def run_info(args) -> int:
    for key, params in fileformat.info(fileformat.load(args.file)):
        print(msg(key, **params))
    return 0


def args_samples(p) -> None:
    p.add_argument("--dir", type=Path, default=Path("traces"), help=msg("help.trace.dir"))


def run_samples(args) -> int:
    args.dir.mkdir(parents=True, exist_ok=True)
    from reallabor.traces import synthetic

    for path in synthetic.write_samples(args.dir):
        print(msg("trace.written", path=path))
    return 0


def args_cut(p) -> None:
    p.add_argument("file", type=Path, help=msg("help.trace.file"))
    p.add_argument("--from", dest="start", default="0", help=msg("help.trace.from"))
    p.add_argument("--to", dest="end", help=msg("help.trace.to"))
    p.add_argument("--out", type=Path, required=True, help=msg("help.trace.out"))


def run_cut(args) -> int:
    from reallabor.traces import tools

    start = tools.parse_time(args.start)
    end = tools.parse_time(args.end) if args.end else None
    header, records = tools.cut(args.file, start, end)
    _write(args.out, header, records)
    print(msg("trace.cut_written", path=args.out, records=len(records)))
    return 0


def args_merge(p) -> None:
    p.add_argument("first", type=Path, help=msg("help.trace.file"))
    p.add_argument("second", type=Path, help=msg("help.trace.file"))
    p.add_argument("--out", type=Path, required=True, help=msg("help.trace.out"))


def run_merge(args) -> int:
    from reallabor.traces import tools

    header, records = tools.merge(args.first, args.second)
    _write(args.out, header, records)
    print(msg("trace.merge_written", path=args.out, records=len(records)))
    return 0


def _write(out: Path, header: dict, records: list) -> None:
    if out.is_dir():
        raise ReallaborError("capture.out_is_dir", EXIT_BAD_INPUT, path=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fileformat.write(out, header, records)
