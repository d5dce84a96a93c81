"""The inventory: one row per board, keyed by MAC, in <data>/inventory.sqlite. It links the MAC to
the device id, name, board, site, firmware and config hashes, the broker account (as a Mosquitto
password hash, never the password) and the LoRaWAN keys. The file holds AppKeys, so it is created
with mode 0600; SQLite gives its journal the same mode."""

import contextlib
import os
import sqlite3
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path

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


_COLUMNS = [f.name for f in fields(Record)]
_lock = threading.Lock()  # batch workers share one file


class Inventory:
    def __init__(self, data: Path | None = None):
        self.path = inventory_file(data)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        check_private(self.path)
        with self._db() as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS devices ({', '.join(_COLUMNS)}, PRIMARY KEY (mac))")
            have = {row[1] for row in db.execute("PRAGMA table_info(devices)")}
            for f in fields(Record):  # an inventory from an older version gets the newer columns
                if f.name not in have:
                    db.execute(f"ALTER TABLE devices ADD COLUMN {f.name} DEFAULT {f.default!r}")

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
        finally:
            db.close()

    def get(self, mac: str) -> Record | None:
        rows = self.select("mac = ?", (mac,))
        return rows[0] if rows else None

    def select(self, where: str = "1", params: tuple = ()) -> list[Record]:
        with _lock, self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM devices WHERE {where} ORDER BY id", params)
            return [Record(*row) for row in rows.fetchall()]

    def save(self, record: Record) -> None:
        """Insert or replace the row for record.mac; another board with the same id is refused."""
        with _lock, self._db() as db:
            other = db.execute("SELECT mac FROM devices WHERE id = ? AND mac != ?", (record.id, record.mac)).fetchone()
            if other:
                raise ReallaborError("provision.id_taken", EXIT_FAILED, id=record.id, mac=record.mac, other=other[0])
            row = asdict(record)
            db.execute(f"INSERT OR REPLACE INTO devices ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row[c] for c in _COLUMNS))
