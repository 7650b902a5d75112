"""Session store in one SQLite file: survives restarts, shared by the processes of one host."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from flowengine.session import CallSession
from flowengine.sessions.base import DEFAULT_TTL_SECONDS, SessionStore, StoreError

CLEANUP_INTERVAL_SECONDS = 60.0
# Writes take microseconds; a lock held longer than this means trouble, and the request is
# better answered with the fallback than left blocking the event loop.
BUSY_TIMEOUT_SECONDS = 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS flow_sources (
    flow TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (flow, version)
);
"""

# An expired row counts as missing, so a new session may take over its key.
_INSERT = """
INSERT INTO sessions (key, rev, expires_at, data) VALUES (?, 1, ?, ?)
ON CONFLICT (key) DO UPDATE
SET rev = excluded.rev, expires_at = excluded.expires_at, data = excluded.data
WHERE sessions.expires_at <= ?
"""

_UPDATE = """
UPDATE sessions SET rev = rev + 1, expires_at = ?, data = ?
WHERE key = ? AND rev = ? AND expires_at > ?
"""


class SqliteSessionStore(SessionStore):
    """Sessions in a SQLite file, one connection per store object.

    Queries run synchronously inside the async methods: they take microseconds, far
    less than a thread-pool hop would. Every statement is its own transaction
    (autocommit), so compare-and-set needs no explicit locking even across processes.
    Only under write contention from other processes can a call block, for at most
    the busy timeout.

    Flow sources are never expired here: they are small and the disk is cheap.
    """

    def __init__(
        self,
        path: str | Path,
        ttl: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        cleanup_interval: float = CLEANUP_INTERVAL_SECONDS,
    ) -> None:
        self.ttl = ttl
        self.path = Path(path)
        self._clock = clock
        self._cleanup_interval = cleanup_interval
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # The wall clock, not a monotonic one: expiry times are shared with other
            # processes and with the next start of this one.
            self._db = sqlite3.connect(
                str(path),
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
            self._cleanup()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open session database {path}: {exc}") from exc

    def _cleanup(self) -> None:
        now = self._clock()
        self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        self._last_cleanup = now

    async def load(self, key: str) -> CallSession | None:
        try:
            row = self._db.execute(
                "SELECT rev, data FROM sessions WHERE key = ? AND expires_at > ?",
                (key, self._clock()),
            ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"session load failed: {exc}") from exc
        if row is None:
            return None
        session = CallSession.from_json(row[1])
        session.rev = row[0]
        return session

    async def save(self, session: CallSession) -> bool:
        now = self._clock()
        expires_at = now + self.ttl
        data = session.to_json()
        try:
            if session.rev == 0:
                cursor = self._db.execute(_INSERT, (session.key, expires_at, data, now))
            else:
                cursor = self._db.execute(
                    _UPDATE, (expires_at, data, session.key, session.rev, now)
                )
        except sqlite3.Error as exc:
            raise StoreError(f"session save failed: {exc}") from exc
        if now - self._last_cleanup >= self._cleanup_interval:
            self._last_cleanup = now
            # Best effort: a failed sweep must not fail a save that already succeeded;
            # the next interval (or the next start) sweeps again.
            with suppress(sqlite3.Error):
                self._cleanup()
        if cursor.rowcount != 1:
            return False
        session.rev += 1
        return True

    async def delete(self, key: str) -> None:
        try:
            self._db.execute("DELETE FROM sessions WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            raise StoreError(f"session delete failed: {exc}") from exc

    async def save_flow_source(self, flow: str, version: str, source: str) -> None:
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO flow_sources (flow, version, source) VALUES (?, ?, ?)",
                (flow, version, source),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"flow source save failed: {exc}") from exc

    async def load_flow_source(self, flow: str, version: str) -> str | None:
        try:
            row = self._db.execute(
                "SELECT source FROM flow_sources WHERE flow = ? AND version = ?", (flow, version)
            ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"flow source load failed: {exc}") from exc
        return None if row is None else str(row[0])

    async def ping(self) -> bool:
        try:
            self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    async def close(self) -> None:
        self._db.close()
