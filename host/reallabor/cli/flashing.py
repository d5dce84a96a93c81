"""reallabor flash, reallabor firmware add|fetch|stand-in|list: MicroPython images onto boards."""

from pathlib import Path

from reallabor.cli import many
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg


def args_flash(p) -> None:
    p.add_argument("--board", required=True, help=msg("help.board"))
    p.add_argument("--port", action="append", help=msg("help.flash.port"))
    p.add_argument("--image", type=Path, help=msg("help.flash.image"))
    p.add_argument("--version", help=msg("help.flash.version"))
    p.add_argument("--with-app", action="store_true", help=msg("help.flash.with_app"))
    p.add_argument("--baud", default="921600,460800,115200", help=msg("help.flash.baud"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_flash(args) -> int:
    from reallabor import boards
    from reallabor.boardio import ports
    from reallabor.fleet import virtualports
    from reallabor.flashing import flash, images

    board = boards.load(args.board)
    stand_in = False
    if args.image:
        try:
            image, name = args.image.read_bytes(), str(args.image)
        except FileNotFoundError:
            raise ReallaborError("firmware.file_missing", EXIT_BAD_INPUT, path=args.image) from None
    else:
        entry = images.find(images.board_build(board), args.version)
        image, name, stand_in = images.load(entry), f"{entry.build} {entry.version}", entry.stand_in
    virtual = {v.port: v for v in virtualports.live(args.data)}
    port_list = ports.check_ports(args.port or ports.detected_ports(
        [p for p, v in virtual.items() if v.kind == virtualports.KIND_BOOTLOADER]))
    on_virtual = frozenset(p for p in port_list if virtualports.find(p, args.data))
    if stand_in:
        real = [p for p in port_list if p not in on_virtual]
        if real:
            raise ReallaborError("flash.stand_in_real", EXIT_BAD_INPUT, ports=", ".join(real), count=len(real),
                                 build=entry.build)
    jobs = flash.prepare(board, image, name, port_list, args.with_app, flash.parse_bauds(args.baud))
    columns = [("mac", "ports.col.mac"), ("chip", "ports.col.chip"), ("baud", "ports.col.baud"),
               ("seconds", "ports.col.seconds")]
    return many.run(port_list, flash.port_job(jobs, on_virtual), columns,
                    advice=lambda o: flash.after_interrupt(o, board.name))


def args_firmware_add(p) -> None:
    p.add_argument("file", type=Path, help=msg("help.firmware.file"))
    p.add_argument("--build", required=True, help=msg("help.firmware.build"))
    p.add_argument("--version", required=True, help=msg("help.firmware.version"))


def run_firmware_add(args) -> int:
    from reallabor.flashing import images

    _print_added(images.add(args.file, args.build, args.version))
    return 0


def args_firmware_fetch(p) -> None:
    p.add_argument("--build", required=True, help=msg("help.firmware.build"))
    p.add_argument("--version", required=True, help=msg("help.firmware.version"))
    p.add_argument("--sha256", help=msg("help.firmware.sha256"))
    p.add_argument("--file", help=msg("help.firmware.file_name"))
    p.add_argument("--mirror", default=None, metavar="URL", help=msg("help.firmware.mirror"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_firmware_fetch(args) -> int:
    from reallabor.flashing import images

    site = args.mirror or images.OFFICIAL_SITE
    site = site if site.endswith("/") else site + "/"
    fetched = images.fetch(args.build, args.version, sha256=args.sha256, site=site, file=args.file, data=args.data)
    _print_added(fetched.image)
    if fetched.pin_saved:
        print(msg("firmware.pin_saved", path=fetched.pin_saved, build=args.build, version=args.version))
    return 0


def args_firmware_stand_in(p) -> None:
    p.add_argument("--build", required=True, help=msg("help.firmware.build"))
    p.add_argument("--chip", choices=("esp32", "esp32s3", "esp32c3"), help=msg("help.firmware.stand_in_chip"))


def run_firmware_stand_in(args) -> int:
    from reallabor.flashing import images

    entry = images.stand_in(args.build, args.chip)
    print(msg("firmware.stand_in_added", build=entry.build, chip=entry.chip, size=entry.size))
    return 0


def _print_added(entry) -> None:
    print(msg("firmware.added", build=entry.build, version=entry.version, chip=entry.chip, size=entry.size,
              sha256=entry.sha256))


def args_firmware_list(p) -> None:
    pass


def run_firmware_list(args) -> int:
    from reallabor.flashing import images

    entries = images.images()
    if not entries:
        print(msg("firmware.empty"))
    for e in sorted(entries, key=lambda e: (e.build, images.version_key(e.version))):
        source = msg("firmware.stand_in_label") if e.stand_in else e.source
        print(f"{e.build:32} {e.version:10} {e.chip:8} {e.size:>9}  {e.sha256[:16]}  {source}")
    return 0
