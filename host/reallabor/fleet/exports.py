"""Exports from the inventory for the services around the boards: a Mosquitto password file and
ACL (each device may write only below its own topic), a The Things Stack end-device CSV, and a
printable label sheet with each device's name and a QR code (reallabor.fleet.labels)."""

import base64
import csv
import hashlib
import io
import secrets
from pathlib import Path

from reallabor.fleet.datadir import write_secret
from reallabor.fleet.inventory import Record

# Mosquitto 2's password format: $7$ = PBKDF2-HMAC-SHA512, then iterations, 12-byte salt and the
# 64-byte hash in base64 (what mosquitto_passwd writes).
PBKDF2_ITERATIONS = 101  # mosquitto_passwd's default

TTS_COLUMNS = ("dev_eui", "join_eui", "app_key", "id", "name", "frequency_plan_id", "lorawan_version",
               "lorawan_phy_version")
TTS_MAC_VERSION = "MAC_V1_0_3"  # our LoRaWAN node speaks 1.0.3
TTS_PHY_VERSION = "PHY_V1_0_3_REV_A"


def mosquitto_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def device_topic(r: Record) -> str:
    return f"{r.prefix}/{r.site}/{r.id}/#"


def mosquitto_passwd(records: list[Record]) -> str:
    return "".join(f"{r.mqtt_user}:{r.mqtt_hash}\n" for r in records)


def mosquitto_acl(records: list[Record]) -> str:
    lines = ["# reallabor: each device may publish (and read) only below its own topic\n"]
    for r in records:
        lines.append(f"\n# {r.name} ({r.mac}, {r.board})\nuser {r.mqtt_user}\ntopic readwrite {device_topic(r)}\n")
    return "".join(lines)


def write_mosquitto(records: list[Record], out) -> list:
    """The password file at out (hashes only, still kept private) and the ACL beside it (.acl)."""
    write_secret(out, mosquitto_passwd(records).encode())
    acl = out.with_suffix(".acl")
    acl.write_text(mosquitto_acl(records), encoding="utf-8")
    return [out, acl]


def write_tts(records: list[Record], out) -> int:
    """The TTS import CSV at out (it holds AppKeys: private) -> the number of LoRa devices in it."""
    write_secret(out, tts_csv(records).encode())
    return sum(1 for r in records if r.dev_eui)


def tts_csv(records: list[Record]) -> str:
    """The Things Stack's end-device import CSV: semicolon separated, header row first."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerow(TTS_COLUMNS)
    for r in records:
        if r.dev_eui:
            w.writerow((r.dev_eui, r.join_eui, r.app_key, r.id, r.name, r.frequency_plan, TTS_MAC_VERSION,
                        TTS_PHY_VERSION))
    return out.getvalue()


def label_sheet(records: list[Record], path) -> list:
    """The label sheet (reallabor.fleet.labels) in the format of path's suffix: .svg, .pdf or
    .png -> the files written (SVG and PNG: one per page)."""
    from reallabor.fleet import labels

    return labels.write(records, Path(path))


def label_format(path) -> str:
    from reallabor.fleet import labels

    return labels.label_format(Path(path))
