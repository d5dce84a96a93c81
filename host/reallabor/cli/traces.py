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
