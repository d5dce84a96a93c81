"""What text may reach an exported file (broker password file and ACL, The Things Stack CSV,
labels). Both formats of Mosquitto are line based and read topic wildcards, so a line break in a
name or a "#" in a topic part would add rules of its own; each field has one rule here. Names enter
the host through `provision --name`, site profiles and the inventory, and are checked there; every
export checks each device again before it writes."""

import re
import unicodedata

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.i18n import msg

NAME_MAX = 64  # a label prints about this much in two lines
# topic parts and account names: ASCII letters, digits and - _ . (no wildcard, no separator, no ":")
_PART = r"[A-Za-z0-9._-]+"
_RULES = {
    "id": re.compile(_PART),
    "mqtt_user": re.compile(_PART),
    "site": re.compile(_PART),
    "prefix": re.compile(rf"{_PART}(/{_PART})*"),
    "board": re.compile(_PART),
    "mac": re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}"),
    "mqtt_hash": re.compile(r"\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+"),
    "dev_eui": re.compile(r"([0-9A-F]{16})?"),
    "join_eui": re.compile(r"([0-9A-F]{16})?"),
    "app_key": re.compile(r"([0-9A-F]{32})?"),
    "frequency_plan": re.compile(r"[A-Z0-9_]*"),
}
SECRET = ("app_key", "mqtt_hash")  # never shown in a message
# what each rule allows, in words for the messages (ASCII, the same in both languages)
ALLOWED = {
    "prefix": "A-Z a-z 0-9 - _ . and / between parts", "mac": "aa:bb:cc:dd:ee:ff",
    "mqtt_hash": "$7$... (mosquitto_passwd)", "dev_eui": "16 hex digits", "join_eui": "16 hex digits",
    "app_key": "32 hex digits", "frequency_plan": "A-Z 0-9 _",
}
ALLOWED_PART = "A-Z a-z 0-9 - _ ."


def name_problem(name) -> str | None:
    """Why a device name cannot be one (a message key), or None: printable text of 1 to
    NAME_MAX characters without line breaks or other control characters."""
    if not isinstance(name, str) or not name.strip():
        return "fields.name_empty"
    if len(name) > NAME_MAX:
        return "fields.name_long"
    if any(map(_control, name)):
        return "fields.name_control"
    if name != name.strip():
        return "fields.name_space"
    return None


def refused(field: str, value) -> bool:
    """True when value may not stand in this field of an export."""
    if field == "name":
        return name_problem(value) is not None
    rule = _RULES.get(field)
    return rule is not None and not (isinstance(value, str) and rule.fullmatch(value))


def allowed(field: str) -> str:
    return ALLOWED.get(field, ALLOWED_PART)


def shown(text) -> str:
    """Text for a message with its control characters visible (\\n, \\x00, \\u2028), never acted on
    by a terminal."""
    return "".join(ascii(c)[1:-1] if _control(c) else c for c in str(text))


def _control(c: str) -> bool:
    """A control or format character, or a line or paragraph separator (spaces are text)."""
    category = unicodedata.category(c)
    return category[0] == "C" or category in ("Zl", "Zp")


# every field of an inventory record that some export writes, in the order they are checked
CHECKED = ("mac", "id", "mqtt_user", "site", "prefix", "board", "name", "mqtt_hash", "dev_eui", "join_eui", "app_key",
           "frequency_plan")


def check_record(record) -> None:
    """Refuse (exit 2) a device with a field that may not reach an export, naming it and the fix."""
    bad = next((f for f in CHECKED if refused(f, getattr(record, f))), None)
    if bad is None:
        return
    who = dict(id=shown(record.id), mac=shown(record.mac))
    if bad == "name":
        why = name_problem(record.name)
        raise ReallaborError("fields.bad_name_record", EXIT_BAD_INPUT, **who, value=shown(record.name),
                             why=msg(why, max=NAME_MAX))
    value = "***" if bad in SECRET else shown(getattr(record, bad))
    raise ReallaborError("fields.bad_record", EXIT_BAD_INPUT, **who, field=bad, value=value, allowed=allowed(bad))
