"""reallabor boards, reallabor export: the known boards, and exports from the inventory."""

import json
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL, ReallaborError
from reallabor.i18n import msg


def args_boards(p) -> None:
    p.add_argument("name", nargs="?", help=msg("help.boards.name"))


def run_boards(args) -> int:
    from reallabor import boards

    if args.name:
        print(json.dumps(boards.load(args.name).data, indent=2, ensure_ascii=False))
        return 0
    print(msg("boards.header"))
    for name in boards.names():
        b = boards.load(name)
        build = b.build + (f"-{b.variant}" if b.variant else "")
        print(f"{b.name:24} {b.chip:8} {build:28} {b.flash_size >> 20:>3}MB  {b.title}")
    return 0


def args_export(p) -> None:
    p.add_argument("what", choices=("mosquitto", "tts", "labels"), help=msg("help.export.what"))
    p.add_argument("--out", type=Path, required=True, help=msg("help.export.out"))
    p.add_argument("--site", help=msg("help.export.site"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_export(args) -> int:
    from reallabor.fleet import exports
    from reallabor.fleet.inventory import Inventory

    inventory = Inventory(args.data)
    records = inventory.select("site = ?", (args.site,)) if args.site else inventory.select()
    if not records:
        raise ReallaborError("export.empty", EXIT_BAD_INPUT)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.what == "mosquitto":
        for path in exports.write_mosquitto(records, args.out, args.data):
            print(msg("export.written", path=path, count=len(records)))
        from reallabor.fleet.datadir import live_password_file

        print(msg("export.live_account", path=live_password_file(args.data)))
    elif args.what == "tts":
        count = exports.write_tts(records, args.out)
        print(msg("export.written", path=args.out, count=count) if count else msg("export.no_lora"))
    else:
        try:
            pages = exports.label_sheet(records, args.out)
        except ImportError:
            raise ReallaborError("labels.missing", EXIT_MISSING_TOOL) from None
        print(msg("export.pages", path=args.out, count=len(records), pages=pages))
    return 0
