"""The message catalog: every sentence in German and English with the same placeholders, real
plural forms, every key the code uses present, and msg() never the thing that fails."""

import ast
import re
import string
from pathlib import Path

import pytest

from reallabor.firmware import devicecode
from reallabor.i18n import Term, msg, set_language
from reallabor.messages import CATALOG

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "host" / "reallabor"
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_<>#+:/-]+)+$")
_FILES = (".json", ".py", ".mpy", ".bin", ".csv", ".jsonl", ".sqlite", ".pem", ".acl", ".png", ".pdf", ".svg", ".md",
          ".html", ".js", ".css", ".tmp")


def placeholders(text: str) -> set[str]:
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    return names | set(re.findall(r"%\((\w+)\)", text)) | ({"%s"} if "%s" in text else set())


def forms(entry) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_both_languages_with_the_same_placeholders(key):
    entry = CATALOG[key]
    assert set(entry) == {"de", "en"}, key
    texts = forms(entry["de"]) + forms(entry["en"])
    for language in ("de", "en"):
        if isinstance(entry[language], dict):
            assert set(entry[language]) == {"one", "other"}, key
    # the singular may say "one" instead of {count}
    full = [t for lang in ("de", "en") for t in ([entry[lang]["other"]] if isinstance(entry[lang], dict) else [entry[lang]])]
    assert all(placeholders(t) == placeholders(full[0]) for t in full), (key, [placeholders(t) for t in full])
    assert all(placeholders(t) - {"count"} == placeholders(full[0]) - {"count"} for t in texts), key


def test_plural_forms_instead_of_brackets():
    hacks = re.compile(r"\w\((e|en|n|s)\)")
    bad = [k for k, e in CATALOG.items() for t in forms(e["de"]) + forms(e["en"]) if hacks.search(t)]
    assert not bad


def used_keys() -> set[str]:
    """Message keys written in the host package: string constants that look like keys of a family
    the catalog has, plus the keys built from parts (board problems, verify checks)."""
    families = {k.split(".")[0] for k in CATALOG}
    keys = set()
    for path in HOST.rglob("*.py"):
        if path.name == "messages.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY.match(node.value) \
                    and node.value.split(".")[0] in families and not node.value.endswith(_FILES) \
                    and not node.value.endswith("."):
                keys.add(node.value)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "problem" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                keys.add("board.problem." + node.args[0].value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Check":
                keys.add("verify.check." + node.args[0].value)
    return keys


def test_every_key_the_code_uses_exists():
    keys = used_keys()
    assert len(keys) > 150  # the walk finds them
    missing = sorted(k for k in keys if k not in CATALOG)
    assert not missing


def test_keys_built_at_run_time_exist():
    config = devicecode.config()
    sensors = devicecode.firmware_module("node.sensors")
    for code in (config.MISSING, config.TYPE, config.RANGE, config.CHOICE, config.SYNTAX, config.UNKNOWN):
        assert "config.problem." + code in CATALOG
    healths = [v for k, v in vars(sensors).items() if k.isupper() and isinstance(v, str) and k != "SHARED"]
    assert len(healths) >= 10
    for health in healths:
        if health not in ("ok",):
            assert "health.hint." + health in CATALOG, health


def test_msg_never_raises():
    set_language("de")
    try:
        assert msg("no.such.key", x=1) == "no.such.key (x=1)"
        assert "trace.valid" in msg("trace.valid")  # its {path} is missing: shown as the key
        assert msg("trace.valid", path="t.jsonl") == "t.jsonl: gültig."
        assert msg("config.problem.type", field="f", detail=Term("expect.text")) == \
            'Feld "f" hat den falschen Typ (erwartet: Text)'
        assert msg("trace.invalid", path="p", count=1).startswith("p ist kein gültiger Trace (ein Problem)")
        assert "(3 Probleme)" in msg("trace.invalid", path="p", count=3)
    finally:
        set_language(None)
