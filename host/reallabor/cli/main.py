"""The `reallabor` command. A table maps each command to its handler and the function that builds
its arguments (as in mpremote); handlers parse nothing themselves and call plain functions of the
layers below. Every ReallaborError becomes a message and an exit code here, in one place.

Messages, help texts and argparse's own words are German by default, English with --lang en or an
English locale; --lang is read before the parser is built so that its help texts are in it too."""

import argparse
import os
import sys
from dataclasses import dataclass, field

from reallabor import __version__
from reallabor.cli import boardio, capture, fleet, flashing, live, replay, traces, virtual
from reallabor.errors import EXIT_FAILED, EXIT_INTERRUPTED, ReallaborError
from reallabor.i18n import LANGUAGES, language, msg, set_language


@dataclass(frozen=True)
class Command:
    handler: object  # args -> exit code
    arguments: object  # argparse parser -> None: adds the command's arguments
    help: str  # message key


@dataclass(frozen=True)
class Group:
    help: str
    commands: dict = field(default_factory=dict)


COMMANDS = {
    "trace": Group("help.trace", {
        "validate": Command(traces.run_validate, traces.args_validate, "help.trace.validate"),
        "info": Command(traces.run_info, traces.args_info, "help.trace.info"),
        "samples": Command(traces.run_samples, traces.args_samples, "help.trace.samples"),
        "cut": Command(traces.run_cut, traces.args_cut, "help.trace.cut"),
        "merge": Command(traces.run_merge, traces.args_merge, "help.trace.merge"),
    }),
    "capture": Command(capture.run_capture, capture.args_capture, "help.capture"),
    "replay": Command(replay.run_replay, replay.args_replay, "help.replay"),
    "faults": Command(replay.run_faults, replay.args_faults, "help.faults"),
    "boards": Command(fleet.run_boards, fleet.args_boards, "help.boards"),
    "ports": Command(boardio.run_ports, boardio.args_ports, "help.ports"),
    "firmware": Group("help.firmware", {
        "add": Command(flashing.run_firmware_add, flashing.args_firmware_add, "help.firmware.add"),
        "fetch": Command(flashing.run_firmware_fetch, flashing.args_firmware_fetch, "help.firmware.fetch"),
        "stand-in": Command(flashing.run_firmware_stand_in, flashing.args_firmware_stand_in, "help.firmware.stand_in"),
        "list": Command(flashing.run_firmware_list, flashing.args_firmware_list, "help.firmware.list"),
    }),
    "flash": Command(flashing.run_flash, flashing.args_flash, "help.flash"),
    "deploy": Command(boardio.run_deploy, boardio.args_deploy, "help.deploy"),
    "site": Group("help.site", {
        "new": Command(fleet.run_site_new, fleet.args_site_new, "help.site.new"),
        "list": Command(fleet.run_site_list, fleet.args_site_list, "help.site.list"),
        "check": Command(fleet.run_site_check, fleet.args_site_check, "help.site.check"),
    }),
    "provision": Command(boardio.run_provision, boardio.args_provision, "help.provision"),
    "verify": Command(boardio.run_verify, boardio.args_verify, "help.verify"),
    "inventory": Group("help.inventory", {
        "list": Command(fleet.run_inventory_list, fleet.args_inventory_list, "help.inventory.list"),
        "show": Command(fleet.run_inventory_show, fleet.args_inventory_show, "help.inventory.show"),
        "remove": Command(fleet.run_inventory_remove, fleet.args_inventory_remove, "help.inventory.remove"),
    }),
    "export": Command(fleet.run_export, fleet.args_export, "help.export"),
    "virtual-board": Command(virtual.run_virtual_board, virtual.args_virtual_board, "help.vboard"),
    "live": Command(live.run_live, live.args_live, "help.live"),
    "monitor": Command(live.run_monitor, live.args_monitor, "help.monitor"),
}


class _Parser(argparse.ArgumentParser):
    """argparse with its own words in the user's language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=msg("help.help"))
        self.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=msg("help.lang"))


def _argparse_text(text: str) -> str:
    """argparse's own sentences (it asks gettext for them) in the user's language."""
    key = "argparse." + text
    return msg(key) if language() != "en" and key in _known_argparse() else text


def _known_argparse() -> set:
    from reallabor.messages import CATALOG

    return {k for k in CATALOG if k.startswith("argparse.")}


def _add(sub, name: str, entry) -> None:
    if isinstance(entry, Group):
        p = sub.add_parser(name, help=msg(entry.help), description=msg(entry.help))
        inner = p.add_subparsers(dest=f"{name}_command", required=True, metavar=msg("help.command"))
        for child, command in entry.commands.items():
            _add(inner, child, command)
        return
    p = sub.add_parser(name, help=msg(entry.help), description=msg(entry.help))
    entry.arguments(p)
    p.set_defaults(handler=entry.handler)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reallabor", description=msg("help.reallabor"))
    parser.add_argument("--version", action="version", version=f"reallabor {__version__}", help=msg("help.version"))
    sub = parser.add_subparsers(dest="command", required=True, metavar=msg("help.command"), parser_class=_Parser)
    for name, entry in COMMANDS.items():
        _add(sub, name, entry)
    return parser


def _language_from(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in LANGUAGES:
            return arg[7:]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    set_language(_language_from(argv))
    argparse._ = _argparse_text  # argparse looks its words up through this name
    argparse.ngettext = lambda one, other, n: _argparse_text(one if n == 1 else other)
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except ReallaborError as e:
        print(f"reallabor: {e.message()}", file=sys.stderr)
        for line in e.detail_lines():
            print(f"  {line}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(msg("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the output went into `head` or a closed pager
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # a bug: say so in one line, the traceback only when asked for
        if os.environ.get("REALLABOR_DEBUG"):
            raise
        print(f"reallabor: {msg('internal_error', error=f'{type(e).__name__}: {e}')}", file=sys.stderr)
        return EXIT_FAILED
