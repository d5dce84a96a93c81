"""The inventory: one row per board, keyed by MAC, in <data>/inventory.sqlite. It links the MAC to
the device id, name, board, site, firmware and config hashes, the broker account (as a Mosquitto
password hash, never the password) and the LoRaWAN keys. The file holds AppKeys, so it is created
with mode 0600; SQLite gives its journal the same mode.

It also remembers every export (what each device looked like in it), so an export can say which
devices changed since the last one, and verify can tell a broker password file that is older than
a device's password."""

import contextlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from reallabor.fleet.fields import check_record
from reallabor.fleet.datadir import check_private, inventory_file
from reallabor.errors import EXIT_FAILED, ReallaborError


@dataclass
class Record:
    mac: str  # "24:6f:28:a1:b2:c3"
    id: str
    name: str
    board: str
    site: str
    prefix: str  # MQTT topic prefix: the device writes below <prefix>/<site>/<id>/
    firmware: str
    config_hash: str
    time: str  # UTC, ISO 8601
    mqtt_user: str
    mqtt_hash: str  # Mosquitto PBKDF2-SHA512 password hash
    dev_eui: str = ""  # LoRa boards only
    join_eui: str = ""
    app_key: str = ""
    frequency_plan: str = ""
    discovery: int = 0  # 1: the device publishes Home Assistant discovery (mqtt.discovery in its config)
    port: str = ""  # where it was provisioned last (the stable by-path name where there is one)
    deep_sleep: int = 0  # 1: it sleeps between cycles (config deep_sleep)
    interval_s: int = 0


_COLUMNS = [f.name for f in fields(Record)]
_lock = threading.Lock()  # batch workers share one file

# What an export carries of a device: a change in these means the export is out of date.
EXPORT_FIELDS = {
    "mosquitto": ("mqtt_user", "mqtt_hash", "prefix", "site", "id", "discovery"),
    "tts": ("dev_eui", "join_eui", "app_key", "id", "name", "frequency_plan"),
    "labels": ("id", "name", "site", "mac", "board", "dev_eui", "join_eui"),
}


@dataclass(frozen=True)
class Changes:
    """How the devices of an export differ from the last export of the same kind."""

    last_time: str | None  # None: never exported before
    last_target: str | None
    new: list
    changed: list
    removed: list


class Inventory:
    def __init__(self, data: Path | None = None):
        self.path = inventory_file(data)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        check_private(self.path)
        with self._db() as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS devices ({', '.join(_COLUMNS)}, PRIMARY KEY (mac))")
            have = {row[1] for row in db.execute("PRAGMA table_info(devices)")}
            for f in fields(Record):  # an inventory from an older reallabor: add the new columns
                if f.name not in have:
                    default = f.default if f.default is not None else ""
                    db.execute(f"ALTER TABLE devices ADD COLUMN {f.name} DEFAULT {default!r}")
            db.execute("CREATE TABLE IF NOT EXISTS exports (kind, scope, target, time, devices)")

    @classmethod
    def existing(cls, data: Path | None = None) -> "Inventory | None":
        """The inventory if this machine has one; None (and nothing created) if not: for the
        commands that only look boards up (deploy, verify, ports)."""
        return cls(data) if inventory_file(data, create=False).exists() else None

    @contextlib.contextmanager
    def _db(self):
        """A connection that commits on success and is always closed."""
        try:
            db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as e:
            raise ReallaborError("inventory.failed", EXIT_FAILED, details=[str(e)], path=self.path)
        try:
            with db:
                yield db
        except sqlite3.Error as e:
            raise ReallaborError("inventory.failed", EXIT_FAILED, details=[str(e)], path=self.path)
        finally:
            db.close()

    def get(self, mac: str) -> Record | None:
        rows = self.select("mac = ?", (mac,))
        return rows[0] if rows else None

    def find(self, ref: str) -> list[Record]:
        """The devices a technician may mean by ref: a MAC, a device id or a name."""
        return self.select("mac = ? OR id = ? OR name = ?", (ref.lower(), ref, ref))

    def on_port(self, port: str) -> Record | None:
        """The device provisioned last on this port."""
        rows = sorted(self.select("port = ?", (port,)), key=lambda r: r.time)
        return rows[-1] if rows else None

    def select(self, where: str = "1", params: tuple = ()) -> list[Record]:
        with _lock, self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM devices WHERE {where} ORDER BY id", params)
            return [Record(*row) for row in rows.fetchall()]

    def save(self, record: Record) -> None:
        """Insert or replace the row for record.mac; another board with the same id is refused, as
        is a field that no export may write."""
        check_record(record)
        with _lock, self._db() as db:
            other = db.execute("SELECT mac FROM devices WHERE id = ? AND mac != ?", (record.id, record.mac)).fetchone()
            if other:
                raise ReallaborError("provision.id_taken", EXIT_FAILED, id=record.id, mac=record.mac, other=other[0])
            row = asdict(record)
            db.execute(f"INSERT OR REPLACE INTO devices ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row[c] for c in _COLUMNS))

    def remove(self, mac: str) -> None:
        with _lock, self._db() as db:
            db.execute("DELETE FROM devices WHERE mac = ?", (mac,))

    # -- exports -----------------------------------------------------------------------------------

    @staticmethod
    def _carried(kind: str, r: Record) -> list:
        return [getattr(r, f) for f in EXPORT_FIELDS[kind]]

    def _last(self, kind: str, scope: str):
        with _lock, self._db() as db:
            return db.execute("SELECT target, time, devices FROM exports WHERE kind = ? AND scope = ? "
                              "ORDER BY rowid DESC LIMIT 1", (kind, scope)).fetchone()

    def changes(self, kind: str, records: list[Record], scope: str = "") -> Changes:
        """What differs between these records and the last export of this kind and scope (a site
        name, or "" for all sites)."""
        last = self._last(kind, scope)
        if not last:
            return Changes(None, None, [r.id for r in records], [], [])
        target, when, devices = last
        before = json.loads(devices)
        now = {r.mac: self._carried(kind, r) for r in records}
        names = {r.mac: r.id for r in records}
        new = [names[m] for m in now if m not in before]
        # an export from an older reallabor carried fewer fields: compare those
        changed = [names[m] for m in now if m in before and before[m] != now[m][:len(before[m])]]
        removed = [before[m][EXPORT_FIELDS[kind].index("id")] for m in before if m not in now]
        return Changes(when, target, sorted(new), sorted(changed), sorted(removed))

    def exported(self, kind: str, target, records: list[Record], scope: str = "") -> None:
        """Remember what an export carried."""
        devices = json.dumps({r.mac: self._carried(kind, r) for r in records}, sort_keys=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with _lock, self._db() as db:
            db.execute("INSERT INTO exports (kind, scope, target, time, devices) VALUES (?, ?, ?, ?, ?)",
                       (kind, scope, str(target), stamp, devices))

    def exported_as(self, record: Record, kind: str = "mosquitto") -> tuple[str | None, dict]:
        """(the time of the last export of this kind that carried this device, the fields it
        carried of it), or (None, {}) if none did. An older export lacks the fields added since."""
        with _lock, self._db() as db:
            rows = db.execute("SELECT time, devices FROM exports WHERE kind = ? ORDER BY rowid DESC", (kind,))
            for when, devices in rows.fetchall():
                carried = json.loads(devices).get(record.mac)
                if carried:
                    return when, dict(zip(EXPORT_FIELDS[kind], carried))
        return None, {}

    def exported_password(self, record: Record) -> tuple[str | None, str | None]:
        """(the time of the last broker export that carried this device, and whether its
        password hash there is the current one: "same", "old"), or (None, None) if none did."""
        when, carried = self.exported_as(record)
        if when is None:
            return None, None
        return when, "same" if carried["mqtt_hash"] == record.mqtt_hash else "old"
