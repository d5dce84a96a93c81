"""reallabor virtual-board: boards on pseudo-terminals, for trying every command without hardware."""

import sys
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL, ReallaborError
from reallabor.i18n import msg


def args_virtual_board(p) -> None:
    p.add_argument("--flash", type=Path, help=msg("help.vboard.flash"))
    p.add_argument("--mac", help=msg("help.vboard.mac"))
    p.add_argument("--count", type=int, default=1, help=msg("help.vboard.count"))
    p.add_argument("--trace", type=Path, help=msg("help.vboard.trace"))
    p.add_argument("--bootloader", action="store_true", help=msg("help.vboard.bootloader"))
    p.add_argument("--chip", choices=("esp32", "esp32s3", "esp32c3"), default="esp32", help=msg("help.vboard.chip"))
    p.add_argument("--flash-size", type=int, default=4, choices=(2, 4, 8, 16), help=msg("help.vboard.flash_size"))
    p.add_argument("--link", type=Path, help=msg("help.vboard.link"))
    p.add_argument("--max-baud", type=int, help=msg("help.vboard.max_baud"))
    p.add_argument("--silent", action="store_true", help=msg("help.vboard.silent"))
    p.add_argument("--pace", action="store_true", help=msg("help.vboard.pace"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_virtual_board(args) -> int:
    if sys.platform == "win32":
        raise ReallaborError("vboard.unsupported", EXIT_MISSING_TOOL)
    from reallabor.fleet import virtualports
    from reallabor.sim.virtualboard import MAC_RE, random_mac, serve

    args.mac = args.mac or random_mac()
    if not MAC_RE.match(args.mac):
        raise ReallaborError("vboard.bad_mac", EXIT_BAD_INPUT, mac=args.mac)
    if not 1 <= args.count <= 64:
        raise ReallaborError("vboard.bad_count", EXIT_BAD_INPUT, count=args.count)
    registered = []  # `reallabor ports` finds them through this file, removed when we stop
    started = []

    def announce(port: virtualports.VirtualPort) -> None:
        started.append(port)  # registered as each comes up: usable as soon as it is announced
        if registered:
            virtualports.remove(registered.pop())
        registered.append(virtualports.register(started, args.data))

    try:
        if args.bootloader:
            from reallabor.sim import rombootloader

            def ready_rom(board, flash):
                mac = board.loader.mac.hex(":")
                announce(virtualports.VirtualPort(board.path, mac, virtualports.KIND_BOOTLOADER, args.chip))
                print(msg("vboard.bootloader", chip=args.chip, path=board.path, mac=mac, flash=flash), flush=True)
                if len(started) == args.count:
                    print(msg("vboard.rom_keys"), flush=True)
                    print(msg("vboard.stop"), flush=True)

            faults = rombootloader.Faults(max_baud=args.max_baud, silent=args.silent)
            rombootloader.serve(args.chip, args.count, args.mac, args.flash, args.flash_size << 20, faults,
                                args.link, args.pace, ready_rom, keys=sys.stdin, trace=args.trace)
            return 0

        def ready(n, board):
            announce(virtualports.VirtualPort(board.port, board.mac, virtualports.KIND_MICROPYTHON))
            print(msg("vboard.ready", n=n, port=board.port, mac=board.mac, flash=board.flash), flush=True)
            if n == args.count:
                print(msg("vboard.keys"), flush=True)
                print(msg("vboard.stop"), flush=True)

        serve(args.count, args.mac, args.flash, args.trace, ready, keys=sys.stdin)
        return 0
    finally:
        for path in registered:
            virtualports.remove(path)
