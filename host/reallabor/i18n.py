"""Messages for people: German by default, English with --lang en or an English locale. Every
sentence lives in reallabor.messages; this module picks the language, the plural form, and never
raises while it words an error."""

import os

from dataclasses import dataclass

from reallabor.messages import CATALOG

LANGUAGES = ("de", "en")
_lang = None


@dataclass(frozen=True)
class Term:
    """A word inside a message that needs translating itself: params={"expected": Term("expect.text")}."""

    key: str


def set_language(lang: str | None) -> None:
    global _lang
    _lang = lang


def language() -> str:
    if _lang:
        return _lang
    for var in ("REALLABOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "de"
    return "de"


def msg(key: str, **params) -> str:
    """The sentence for key in the current language. A text with plural forms ({"one": ...,
    "other": ...}) is chosen by the parameter `count`. A missing key or parameter gives the key and
    the parameters as they are: a message must never be what fails."""
    try:
        text = CATALOG[key][language()]
        if isinstance(text, dict):
            text = text["one" if params.get("count") == 1 else "other"]
        return text.format(**{k: _word(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{key} ({shown})" if shown else key


def _word(value):
    """A parameter as it goes into a sentence: terms and problems in words, the rest as it is."""
    if isinstance(value, Term):
        return msg(value.key)
    if hasattr(value, "key") and hasattr(value, "params"):  # a reallabor.errors.Problem
        return describe(value)
    return value


def describe(problem) -> str:
    """A Problem (reallabor.errors) in words: "line 3: ..." for text files, else the message, which
    names its field itself."""
    text = msg(problem.key, field=problem.field, **problem.params)
    return msg("trace.line", line=problem.line, text=text) if problem.line is not None else text
