"""Messages for people: German by default, English with --lang en or an English locale."""

import os

from reallabor.messages import CATALOG

_lang = None


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
    texts = CATALOG[key]
    return texts[language()].format(**params)
