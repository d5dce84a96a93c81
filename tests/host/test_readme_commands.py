"""The command lines the README and the docs show are ones the CLI takes: every command exists and
every option shown is one of that command's (a technician types them as they stand)."""

import argparse
import re

import pytest

from reallabor.cli.main import build_parser
from reallabor.env import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shown_commands():
    """(page, line, command words, options) for each `reallabor ...` line in a code block (fenced,
    or indented four spaces), its continuation lines (more options below it) included."""
    found = []
    for page in PAGES:
        current = None
        fenced = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                fenced = not fenced
                continue
            text = line.split("  #", 1)[0].strip()  # without the comment after it
            code = fenced or line.startswith("    ")
            match = re.match(r"(?:\$ )?(?:\.venv/bin/)?reallabor\s+(.*)", text) if code else None
            if match:
                words = match.group(1).split()
                command = []
                for word in words:
                    if word.startswith(("-", "[")) or not re.fullmatch(r"[a-z][a-z0-9|-]*", word):
                        break
                    command.append(word)
                current = (page.name, text, command, re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", match.group(1)))
                found.append(current)
            elif current and code and line[:1] == " " and text.startswith("["):  # more options of the line above
                current[3].extend(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))
            else:
                current = None
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _parsers_for(command: list[str]) -> list[argparse.ArgumentParser]:
    # "site new|check|list NAME" -> the parsers of site new, site check and site list. A parser
    # with subcommands takes only those; a word after a parser without (a lower-case argument such
    # as "hof" in "site new hof") ends the command.
    parsers = [build_parser()]
    for word in command:
        subs = [_subcommands(p) for p in parsers]
        if not all(subs):
            break
        names = word.split("|")
        unknown = [n for n in names if any(n not in s for s in subs)]
        assert not unknown, f"{parsers[0].prog} has no command {', '.join(unknown)}"
        parsers = [s[name] for s in subs for name in names]
    return parsers


def test_the_pages_show_commands():
    # the test below has something to check: the README's command list at least
    assert len([c for c in shown_commands() if c[0] == "README.md"]) >= 25


@pytest.mark.parametrize("page,line,command,options", shown_commands(), ids=lambda v: v if isinstance(v, str) else None)
def test_a_command_line_the_docs_show_is_one_the_cli_takes(page, line, command, options):
    parsers = _parsers_for(command)
    assert not _subcommands(parsers[0]), f"{page}: {line!r} names no command"
    for parser in parsers:
        known = {s for action in parser._actions for s in action.option_strings}
        unknown = [o for o in options if o not in known]
        assert not unknown, f"{page}: {line!r}: {parser.prog} has no {', '.join(unknown)}"
