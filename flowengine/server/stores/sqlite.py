"""Session store in one SQLite file: survives restarts, shared by the processes of one host."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

from flowengine.runtime.session import CallSession
from flowengine.server.stores.base import DEFAULT_TTL_SECONDS, SessionStore, StoreError
from flowengine.server.stores.checkpoint import SAFETY_NET_PAGES, Checkpointer

# Each committed batch also deletes up to this many expired sessions per session it wrote
# (and at least SWEEP_MIN): expiry keeps pace with new calls in small steps, instead of a
# periodic sweep that would hold the write lock, and the event loop, for as long as a
# busy hour's worth of deletes takes.
SWEEP_PER_WRITE = 2
SWEEP_MIN = 64
# Writes take microseconds; a lock held longer than this means trouble, and the request is
# better answered with the fallback than left waiting (only its own webhook waits: the
# queries run in the store's thread, not on the event loop).
BUSY_TIMEOUT_SECONDS = 1.0

T = TypeVar("T")

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

_SWEEP = """
DELETE FROM sessions WHERE key IN (
    SELECT key FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?
)
"""

_UPDATE = """
UPDATE sessions SET rev = rev + 1, expires_at = ?, data = ?
WHERE key = ? AND rev = ? AND expires_at > ?
"""


class _Batch:
    """Writes gathered while the previous batch ran, committed in one transaction."""

    __slots__ = ("done", "loop", "rows", "writes")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.done: asyncio.Future[None] = loop.create_future()
        self.writes: list[tuple[str, Sequence[object]]] = []
        self.rows: list[int] = []


class SqliteSessionStore(SessionStore):
    """Sessions in a SQLite file, one connection per store object, used by one thread.

    Every query runs in the store's own thread, never on the event loop: a write lock
    held by another process (or a slow disk) delays the webhooks that wait for this
    store, up to the busy timeout, while every other request goes on being answered.

    Writes are group-committed: writes asked for while a batch is committing are
    queued, and the next batch runs them in one short transaction (BEGIN IMMEDIATE, the
    writes, COMMIT) as soon as the thread is free. Each writer waits for that COMMIT and
    gets its own row count, so a webhook is answered only once its session is committed,
    and compare-and-set stays exact (a second save of one session in the same batch finds
    the revision already moved). A busy server pays for one commit per batch instead of
    one per webhook. Reads never see queued writes. If any write of a batch fails, the
    batch is rolled back and every writer in it gets the error. A writer cancelled while
    it waits still has its write committed. Checkpoints of the write-ahead log run in a
    thread of their own (see checkpoint.py).

    Flow sources are never expired here: they are small and the disk is cheap.
    """

    def __init__(
        self,
        path: str | Path,
        ttl: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl = ttl
        self.path = Path(path)
        # The wall clock, not a monotonic one: expiry times are shared with other
        # processes and with the next start of this one.
        self._clock = clock
        self._pending: _Batch | None = None
        self._running: _Batch | None = None
        self._checkpointer: Checkpointer | None = None
        on_disk = str(path) != ":memory:"
        try:
            if on_disk:
                self.path.parent.mkdir(parents=True, exist_ok=True)
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
            self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (self._clock(),))
            if on_disk:
                self._db.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}")
                self._checkpointer = Checkpointer(self.path)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open session database {path}: {exc}") from exc
        # One thread owns the connection: no locking, and queries run in the order asked.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"sqlite {self.path.name}")
        self._closed = False

    async def _run(self, work: Callable[[], T]) -> T:
        if self._closed:
            raise StoreError("the session store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._thread, work)

    async def _write(self, sql: str, params: Sequence[object]) -> int:
        """Queue one write for the next batch; its row count once the batch committed."""
        if self._closed:
            raise StoreError("session store write failed: the store is closed")
        loop = asyncio.get_running_loop()
        batch = self._pending
        # A batch of another loop was left behind when that loop stopped before running
        # it: its writers are gone with their loop.
        if batch is None or batch.loop is not loop:
            batch = self._pending = _Batch(loop)
            loop.call_soon(self._start)  # after this turn: its other writes join the batch
        index = len(batch.writes)
        batch.writes.append((sql, params))
        # Shielded: a writer cancelled while it waits must not cancel the others' commit.
        await asyncio.shield(batch.done)
        return batch.rows[index]

    def _start(self) -> None:
        running, batch = self._running, self._pending
        if batch is None:
            return
        if running is not None and running.loop is batch.loop and not running.done.done():
            return  # the running batch starts this one when it finishes
        self._pending, self._running = None, batch
        work = batch.loop.run_in_executor(self._thread, self._commit, batch)
        work.add_done_callback(lambda finished: self._finished(batch, finished))

    def _finished(self, batch: _Batch, work: asyncio.Future[None]) -> None:
        if self._running is batch:
            self._running = None
        error = work.exception() if not work.cancelled() else StoreError("cancelled")
        if not batch.done.done():
            if error is None:
                batch.done.set_result(None)
                if self._checkpointer is not None:
                    self._checkpointer.committed()
            else:
                batch.done.set_exception(StoreError(f"session store write failed: {error}"))
        self._start()

    def _commit(self, batch: _Batch) -> None:
        """In the store's thread: the batch in one transaction, all or nothing."""
        db = self._db
        limit = max(SWEEP_MIN, SWEEP_PER_WRITE * len(batch.writes))
        db.execute("BEGIN IMMEDIATE")
        try:
            batch.rows = [db.execute(sql, params).rowcount for sql, params in batch.writes]
            try:
                db.execute(_SWEEP, (self._clock(), limit))
            except sqlite3.Error:
                # Best effort, unless the error (disk full, I/O) took the whole
                # transaction with it: the next batch or the next start sweeps again.
                if not db.in_transaction:
                    raise
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise

    async def load(self, key: str) -> CallSession | None:
        def read() -> tuple[int, str] | None:
            row = self._db.execute(
                "SELECT rev, data FROM sessions WHERE key = ? AND expires_at > ?",
                (key, self._clock()),
            ).fetchone()
            return None if row is None else (int(row[0]), str(row[1]))

        try:
            row = await self._run(read)
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
        if session.rev == 0:
            rows = await self._write(_INSERT, (session.key, expires_at, data, now))
        else:
            rows = await self._write(_UPDATE, (expires_at, data, session.key, session.rev, now))
        if rows != 1:
            return False
        session.rev += 1
        return True

    async def delete(self, key: str) -> None:
        await self._write("DELETE FROM sessions WHERE key = ?", (key,))

    async def save_flow_source(self, flow: str, version: str, source: str) -> None:
        await self._write(
            "INSERT OR REPLACE INTO flow_sources (flow, version, source) VALUES (?, ?, ?)",
            (flow, version, source),
        )

    async def load_flow_source(self, flow: str, version: str) -> str | None:
        def read() -> str | None:
            row = self._db.execute(
                "SELECT source FROM flow_sources WHERE flow = ? AND version = ?", (flow, version)
            ).fetchone()
            return None if row is None else str(row[0])

        try:
            return await self._run(read)
        except sqlite3.Error as exc:
            raise StoreError(f"flow source load failed: {exc}") from exc

    async def ping(self) -> bool:
        try:
            await self._run(lambda: self._db.execute("SELECT 1").fetchone())
        except (sqlite3.Error, StoreError):
            return False
        return True

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        for batch in (self._running, self._pending):
            if batch is not None and batch.loop is loop:
                with suppress(StoreError):
                    await asyncio.shield(batch.done)
        if self._closed:
            return
        await self._run(self._db.close)
        self._closed = True
        self._thread.shutdown(wait=True)
        if self._checkpointer is not None:
            self._checkpointer.close()
