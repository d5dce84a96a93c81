"""Exports from the inventory for the services around the boards: a Mosquitto password file and
ACL (each device may write only below its own topic and, with discovery, its Home Assistant
configs; the live view's account "live" may only read) with the configuration lines that bind
each client id to its account, a The Things Stack end-device CSV, and a printable label sheet with
each device's name and a QR code (reallabor.fleet.labels). Every field is checked before any file
is written (reallabor.fleet.fields)."""

import base64
import csv
import hashlib
import io
import secrets
from pathlib import Path

from reallabor.fleet import fields
from reallabor.fleet.datadir import LIVE_ACCOUNT, check_private, live_password_file, write_secret
from reallabor.fleet.inventory import Record

# Mosquitto 2's password format: $7$ = PBKDF2-HMAC-SHA512, then iterations, 12-byte salt and the
# 64-byte hash in base64 (what mosquitto_passwd writes).
PBKDF2_ITERATIONS = 101  # mosquitto_passwd's default

TTS_COLUMNS = ("dev_eui", "join_eui", "app_key", "id", "name", "frequency_plan_id", "lorawan_version",
               "lorawan_phy_version")
# What our LoRaWAN node speaks (firmware/lib/node/net/lorawan.py): L2 1.0.4 with the EU868 regional
# parameters of RP002-1.0.3, in The Things Stack's names (its MACVersion and PHYVersion enums)
TTS_MAC_VERSION = "MAC_V1_0_4"
TTS_PHY_VERSION = "RP002_V1_0_3"


def mosquitto_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def device_topic(r: Record) -> str:
    return f"{r.prefix}/{r.site}/{r.id}/#"


def discovery_topic(r: Record) -> str:
    """Where a device with Home Assistant discovery publishes its configs (docs/mqtt.md)."""
    return f"homeassistant/sensor/{r.id}/#"


# What the live view reads besides <prefix>/#: The Things Stack's uplinks, when a network server
# publishes to this broker.
LIVE_TOPICS = ("v3/+/devices/+/up",)


def exportable(records: list[Record]) -> list[Record]:
    """The records, once each field that an export writes is known to be safe there (else exit 2,
    nothing written): a line break or wildcard would add lines or rules of its own."""
    for r in records:
        fields.check_record(r)
    return records


def mosquitto_passwd(records: list[Record], live_hash: str | None = None) -> str:
    lines = [f"{r.mqtt_user}:{r.mqtt_hash}\n" for r in exportable(records)]
    return "".join(lines + ([f"{LIVE_ACCOUNT}:{live_hash}\n"] if live_hash else []))


def mosquitto_acl(records: list[Record], live: bool = True) -> str:
    lines = ["# reallabor: each device may publish (and read) only below its own topic; no anonymous access\n"]
    for r in exportable(records):
        lines.append(f"\n# {r.name} ({r.mac}, {r.board})\nuser {r.mqtt_user}\ntopic readwrite {device_topic(r)}\n")
        if getattr(r, "discovery", 0):
            lines.append(f"topic write {discovery_topic(r)}\n")
    if live:
        lines.append(f"\n# the live view (reallabor live): reads, never writes\nuser {LIVE_ACCOUNT}\n")
        for prefix in sorted({r.prefix for r in records}):
            lines.append(f"topic read {prefix}/#\n")
        lines += [f"topic read {t}\n" for t in LIVE_TOPICS]
    return "".join(lines)


def mosquitto_include(passwd: Path, acl: Path) -> str:
    """The lines that turn the exports on. use_username_as_clientid binds each session to its
    account: a device that sends another device's client id gets a session of its own instead of
    pushing that device off and taking over its persistent session. It is a listener setting: a
    second listener needs the line again (the file itself may be included only once)."""
    return ("# reallabor: include this in mosquitto.conf once, after the listener line; every further listener\n"
            "# the devices use needs its own line use_username_as_clientid true\n"
            f"use_username_as_clientid true\nallow_anonymous false\npassword_file {passwd.resolve()}\n"
            f"acl_file {acl.resolve()}\n")


def live_password(data=None) -> tuple[str, bool]:
    """The live account's password from the data directory, made on first use -> (password, new)."""
    path = live_password_file(data)
    if path.exists():
        check_private(path)
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text, False
    password = secrets.token_urlsafe(24)
    write_secret(path, (password + "\n").encode())
    return password, True


def write_mosquitto(records: list[Record], out, data=None) -> list:
    """The password file at out (hashes only, still kept private), the ACL beside it (.acl) and a
    config snippet (.include.conf) that turns both on and anonymous access off. The live view's account
    gets its password from (or into) the data directory, never onto the screen."""
    password, _ = live_password(data)
    write_secret(out, mosquitto_passwd(records, mosquitto_hash(password)).encode())
    acl = out.with_suffix(".acl")
    acl.write_text(mosquitto_acl(records), encoding="utf-8")
    conf = out.with_suffix(".include.conf")  # never the broker's own mosquitto.conf
    conf.write_text(mosquitto_include(out, acl), encoding="utf-8")
    return [out, acl, conf]


def write_tts(records: list[Record], out) -> int:
    """The TTS import CSV at out (it holds AppKeys: private) -> the number of LoRa devices in it."""
    write_secret(out, tts_csv(records).encode())
    return sum(1 for r in records if r.dev_eui)


def tts_csv(records: list[Record]) -> str:
    """The Things Stack's end-device import CSV: semicolon separated, header row first."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerow(TTS_COLUMNS)
    for r in exportable(records):
        if r.dev_eui:
            w.writerow((r.dev_eui, r.join_eui, r.app_key, r.id, r.name, r.frequency_plan, TTS_MAC_VERSION,
                        TTS_PHY_VERSION))
    return out.getvalue()


def label_sheet(records: list[Record], path) -> list:
    """The label sheet (reallabor.fleet.labels) in the format of path's suffix: .svg, .pdf or
    .png -> the files written (SVG and PNG: one per page)."""
    from reallabor.fleet import labels

    return labels.write(exportable(records), Path(path))


def label_format(path) -> str:
    from reallabor.fleet import labels

    return labels.label_format(Path(path))
