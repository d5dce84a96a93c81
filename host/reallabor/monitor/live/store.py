"""The live view's history: one SQLite file (WAL mode) that the collector writes and the web server
reads at the same time. De-duplication on (device, seq) happens here, in the insert; the schema is
documented in docs/live.md and versioned in the `meta` table.

One writer (the collector's thread) and any number of readers, each thread with its own
connection. Readings older than the retention are deleted by prune()."""

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from reallabor.errors import EXIT_FAILED, ReallaborError
from reallabor.monitor.live import wire

SCHEMA_VERSION = 1
DEFAULT_RETENTION_DAYS = 30

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    gen INTEGER NOT NULL,          -- +1 when a seq comes again with other content (a node whose outbox was wiped)
    seq INTEGER NOT NULL,          -- the node's sequence number (LoRaWAN: unwrapped from 8 bits)
    t REAL NOT NULL,               -- the reading's time, Unix s: the node's clock, else the arrival
    node_time INTEGER,             -- the node's `time` as sent; NULL while it has no wall time
    received REAL NOT NULL,        -- arrival at the collector, Unix s
    digest TEXT NOT NULL,          -- SHA-1 of the payload: tells a copy (same) from a reused seq (other)
    health TEXT NOT NULL,          -- JSON {sensor: health}
    node TEXT,                     -- JSON diagnostics {battery_mv, rssi_dbm, firmware, reset, uptime_s, heap_free} or NULL
    source TEXT NOT NULL,          -- 'mqtt' or 'tts'
    UNIQUE (device, gen, seq)
);
CREATE INDEX IF NOT EXISTS readings_t ON readings (t);
CREATE INDEX IF NOT EXISTS readings_device_t ON readings (device, t);
CREATE TABLE IF NOT EXISTS samples (
    reading INTEGER NOT NULL,      -- readings.id
    sensor TEXT NOT NULL,
    quantity TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    main INTEGER NOT NULL,         -- 1: the value that stands for the node (first sensor with this quantity)
    PRIMARY KEY (reading, sensor, quantity)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    site TEXT NOT NULL, prefix TEXT NOT NULL, source TEXT NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0, last_seq INTEGER,
    duplicates INTEGER NOT NULL DEFAULT 0,  -- copies removed by de-duplication
    restarts INTEGER NOT NULL DEFAULT 0     -- times its seq started over
);
CREATE TABLE IF NOT EXISTS statuses (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    received REAL NOT NULL,
    state TEXT NOT NULL,           -- online, offline, sleeping
    wake INTEGER, dropped INTEGER,
    retained INTEGER NOT NULL      -- 1: the broker's retained copy at subscribe time (may be old)
);
CREATE INDEX IF NOT EXISTS statuses_device ON statuses (device, id);
CREATE TABLE IF NOT EXISTS markers (
    id INTEGER PRIMARY KEY,
    t REAL NOT NULL,
    text TEXT NOT NULL
);
"""


class Store:
    def __init__(self, path: Path, retention_days: float = DEFAULT_RETENTION_DAYS):
        self.path = Path(path)
        self.retention_s = retention_days * 86400
        self._local = threading.local()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = self.db()
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found and int(found[0]) != SCHEMA_VERSION:
                raise ReallaborError("live.db_version", EXIT_FAILED, path=self.path, found=found[0],
                                     expected=SCHEMA_VERSION)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('retention_days', ?)", (str(retention_days),))
            db.commit()
        except sqlite3.DatabaseError as e:
            raise ReallaborError("live.db_failed", EXIT_FAILED, details=[str(e)], path=self.path) from None
        self._devices = {row[0]: [row[1], row[2]] for row in db.execute("SELECT device, gen, last_seq FROM devices")}

    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            except sqlite3.Error as e:
                raise ReallaborError("live.db_failed", EXIT_FAILED, details=[str(e)], path=self.path) from None
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a power cut may lose the last commits, never the file
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- writing (the collector's thread) ---------------------------------------------------------

    def ingest(self, items: list) -> list:
        """Readings and statuses in one transaction -> those that are new (duplicates are left out
        and counted). A reading's seq is unwrapped first where the node sends only its low bits."""
        db = self.db()
        accepted = []
        self._touched = {}
        self._samples = []
        with db:
            for item in items:
                if isinstance(item, wire.Status):
                    self._status(db, item)
                    accepted.append(item)
                elif self._reading(db, item):
                    accepted.append(item)
            db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)", self._samples)
            db.executemany("UPDATE devices SET last_seq = ?, site = ?, prefix = ? WHERE device = ?",
                           [(self._devices[d][1], site, prefix, d) for d, (site, prefix) in self._touched.items()])
        return accepted

    def _device(self, db, r) -> list:
        known = self._devices.get(r.device)
        if known is None:
            db.execute("INSERT OR IGNORE INTO devices (device, site, prefix, source) VALUES (?, ?, ?, ?)",
                       (r.device, r.site, r.prefix, getattr(r, "source", "mqtt")))
            known = self._devices[r.device] = [0, None]
        return known

    def _reading(self, db, r: wire.Reading) -> bool:
        known = self._device(db, r)
        if r.seq_bits:
            r.seq = wire.unwrap(r.seq, r.seq_bits, known[1])
        rid = self._insert(db, r, known[0])
        restarted = False
        if rid is None:
            old = db.execute("SELECT digest FROM readings WHERE device = ? AND gen = ? AND seq = ?",
                             (r.device, known[0], r.seq)).fetchone()
            if old and old[0] == r.digest:
                db.execute("UPDATE devices SET duplicates = duplicates + 1 WHERE device = ?", (r.device,))
                return False
            known[0] += 1  # the same number with other content: the node's counter started over
            db.execute("UPDATE devices SET restarts = restarts + 1, gen = ? WHERE device = ?", (known[0], r.device))
            rid = self._insert(db, r, known[0])
            restarted = r.restarted = True
        if restarted or known[1] is None or r.seq > known[1]:
            known[1] = r.seq
        self._touched[r.device] = (r.site, r.prefix)  # the devices row is updated once per batch
        main = r.main
        self._samples += [(rid, sensor, quantity, q["value"], q.get("unit", ""), int(main[quantity][0] == sensor))
                          for sensor, qs in r.readings.items() for quantity, q in qs.items()]
        return True

    def _insert(self, db, r: wire.Reading, gen: int) -> int | None:
        node = dict(r.node or {})
        if r.rssi_dbm is not None and "rssi_dbm" not in node:
            node["rssi_dbm"] = r.rssi_dbm
        cur = db.execute(
            "INSERT OR IGNORE INTO readings (device, gen, seq, t, node_time, received, digest, health, node, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.device, gen, r.seq, r.t, r.node_time, r.received, r.digest, json.dumps(r.health),
             json.dumps(node) if node else None, r.source))
        return cur.lastrowid if cur.rowcount == 1 else None

    def _status(self, db, s: wire.Status) -> None:
        self._device(db, s)
        db.execute("INSERT INTO statuses (device, received, state, wake, dropped, retained) VALUES (?, ?, ?, ?, ?, ?)",
                   (s.device, s.received, s.state, s.wake, s.dropped, int(s.retained)))

    def add_marker(self, t: float, text: str) -> dict:
        db = self.db()
        with db:
            mid = db.execute("INSERT INTO markers (t, text) VALUES (?, ?)", (t, text)).lastrowid
        return {"id": mid, "t": t, "text": text}

    def prune(self, now: float | None = None) -> int:
        """Delete readings, statuses and markers older than the retention -> readings deleted."""
        cutoff = (time.time() if now is None else now) - self.retention_s
        db = self.db()
        with db:
            db.execute("DELETE FROM samples WHERE reading IN (SELECT id FROM readings WHERE t < ?)", (cutoff,))
            n = db.execute("DELETE FROM readings WHERE t < ?", (cutoff,)).rowcount
            db.execute("DELETE FROM statuses WHERE received < ? AND id NOT IN "
                       "(SELECT max(id) FROM statuses GROUP BY device)", (cutoff,))
            db.execute("DELETE FROM markers WHERE t < ?", (cutoff,))
        return n

    # --- reading (any thread) ---------------------------------------------------------------------

    def history(self, quantity: str, since: float, until: float | None = None) -> dict:
        """{device: [[t...], [value...]]}: the value that stands for each node, in time order."""
        rows = self.db().execute(
            "SELECT r.device, r.t, s.value FROM readings r JOIN samples s ON s.reading = r.id"
            " WHERE r.t >= ? AND r.t <= ? AND s.quantity = ? AND s.main = 1 ORDER BY r.t",
            (since, until if until is not None else 1e12, quantity))
        out: dict = {}
        for device, t, value in rows:
            ts, vs = out.setdefault(device, ([], []))
            ts.append(t)
            vs.append(value)
        return {d: [ts, vs] for d, (ts, vs) in out.items()}

    def recent(self, since: float) -> list[tuple]:
        """(device, t, {quantity: main value}) of every reading since then, oldest first (to seed
        the trends after a restart)."""
        rows = self.db().execute(
            "SELECT r.device, r.t, s.quantity, s.value FROM readings r JOIN samples s ON s.reading = r.id"
            " WHERE r.t >= ? AND s.main = 1 ORDER BY r.t, r.id", (since,))
        out = []
        for device, t, quantity, value in rows:
            if not out or out[-1][0] != device or out[-1][1] != t:
                out.append((device, t, {}))
            out[-1][2][quantity] = value
        return out

    def latest(self) -> list[dict]:
        """The newest reading and status of every device (to seed the live state after a restart)."""
        db = self.db()
        out = []
        for device, site, prefix, source in db.execute("SELECT device, site, prefix, source FROM devices"):
            row = db.execute("SELECT id, seq, t, node_time, received, health, node FROM readings WHERE device = ?"
                             " ORDER BY gen DESC, seq DESC LIMIT 1", (device,)).fetchone()
            entry = {"device": device, "site": site, "prefix": prefix, "source": source, "reading": None,
                     "status": None}
            if row:
                rid, seq, t, node_time, received, health, node = row
                readings: dict = {}
                for sensor, quantity, value, unit in db.execute(
                        "SELECT sensor, quantity, value, unit FROM samples WHERE reading = ?", (rid,)):
                    readings.setdefault(sensor, {})[quantity] = {"value": value, "unit": unit}
                entry["reading"] = wire.Reading(device, seq, node_time, received, readings, json.loads(health),
                                                json.loads(node) if node else None, site, prefix, source)
            status = db.execute("SELECT state, received, wake, dropped, retained FROM statuses WHERE device = ?"
                                " ORDER BY id DESC LIMIT 1", (device,)).fetchone()
            if status:
                entry["status"] = wire.Status(device, status[0], status[1], status[2], status[3], True, site, prefix)
            out.append(entry)
        return out

    def gaps(self, since: float) -> dict:
        """{device: (readings, missing)} since then: missing are the seq numbers between the first
        and the last that never arrived (within each counter generation)."""
        out: dict = {}
        for device, n, lo, hi in self.db().execute(
                "SELECT device, count(*), min(seq), max(seq) FROM readings WHERE t >= ? GROUP BY device, gen",
                (since,)):
            have, missing = out.get(device, (0, 0))
            out[device] = (have + n, missing + (hi - lo + 1 - n))
        return out

    def counters(self) -> dict:
        """{device: (duplicates, restarts)}"""
        return {d: (dup, rs) for d, dup, rs in self.db().execute("SELECT device, duplicates, restarts FROM devices")}

    def changed_status_since(self, device: str) -> float | None:
        """When the device's current status began, as far as we saw it live (None: only the
        broker's retained copy is known)."""
        rows = self.db().execute("SELECT state, received, retained FROM statuses WHERE device = ? ORDER BY id DESC"
                                 " LIMIT 50", (device,)).fetchall()
        if not rows:
            return None
        state, since = rows[0][0], None
        for s, received, retained in rows:
            if s != state:
                break
            since = None if retained else received
        return since

    def markers(self, since: float, until: float | None = None) -> list[dict]:
        rows = self.db().execute("SELECT id, t, text FROM markers WHERE t >= ? AND t <= ? ORDER BY t",
                                 (since, until if until is not None else 1e12))
        return [{"id": i, "t": t, "text": text} for i, t, text in rows]

    def export(self, since: float, until: float, devices: list[str] | None = None):
        """Every value in the range, long format, time order: (t, device, seq, sensor, quantity,
        value, unit, main)."""
        where, params = "r.t >= ? AND r.t <= ?", [since, until]
        if devices:
            where += f" AND r.device IN ({', '.join('?' * len(devices))})"
            params += list(devices)
        return self.db().execute(
            "SELECT r.t, r.device, r.seq, s.sensor, s.quantity, s.value, s.unit, s.main, r.health"
            f" FROM readings r JOIN samples s ON s.reading = r.id WHERE {where} ORDER BY r.t, r.device, r.id",
            params)

    def interval(self, device: str) -> float | None:
        """The usual time between a device's readings (median of the last five gaps)."""
        ts = [t for (t,) in self.db().execute("SELECT t FROM readings WHERE device = ? ORDER BY t DESC LIMIT 6",
                                             (device,))]
        gaps = sorted(a - b for a, b in zip(ts, ts[1:]) if a > b)
        return gaps[len(gaps) // 2] if gaps else None
