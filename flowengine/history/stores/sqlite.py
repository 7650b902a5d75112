"""The call history in its own SQLite file: the embedded default."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from flowengine.history.record import CallRecord, Note, Step
from flowengine.history.stores import base, rows
from flowengine.history.stores.base import SQLITE, Filter, HistoryError, HistoryStore, ScanRow
from flowengine.history.stores.sql import statements

T = TypeVar("T")
SCAN_CHUNK = 5000


class SqliteHistoryStore(HistoryStore):
    """One connection, used from worker threads one at a time: a batch of writes or a
    report's scan never blocks the event loop that answers webhooks."""

    def __init__(self, path: str) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=5000")
            for sql in base.schema(SQLITE):
                self.db.execute(sql)
            self._migrate()
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the history database {path}: {exc}") from exc
        self.lock = threading.Lock()

    def _migrate(self) -> None:
        """Add the columns a history file from an older release lacks."""
        for table, column, kind in base.ADDED_COLUMNS:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column in have:
                continue
            try:
                self.db.execute(base.add_column(SQLITE, table, column, kind))
            except sqlite3.OperationalError as exc:
                # Another process opening the same file at the same moment added it first.
                if "duplicate column" not in str(exc):
                    raise

    async def _run(self, work: Callable[[], T]) -> T:
        def locked() -> T:
            with self.lock:
                try:
                    return work()
                except sqlite3.Error as exc:
                    raise HistoryError(f"history database {self.path}: {exc}") from exc

        return await asyncio.to_thread(locked)

    async def write(self, items: Sequence[Step | Note]) -> None:
        def work() -> None:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements(SQLITE, items):
                    self.db.executemany(sql, params)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

        await self._run(work)

    def _all(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, args))

    async def calls(self, where: Filter) -> list[CallRecord]:
        sql, args = base.list_calls(SQLITE, where)
        return [rows.record(r) for r in await self._run(lambda: self._all(sql, args))]

    async def call(self, sid: str) -> CallRecord | None:
        def work() -> CallRecord | None:
            found = self._all(f"SELECT {base.CALL_COLUMNS} FROM calls WHERE sid = ?", (sid,))
            if not found:
                return None
            call = rows.record(found[0])
            steps = self._all(
                f"SELECT {base.STEP_COLUMNS} FROM steps WHERE sid = ? ORDER BY rev", (sid,)
            )
            call.steps = [rows.step(r, call) for r in steps]
            notes = "SELECT sid, at, kind, data FROM notes WHERE sid = ? ORDER BY at"
            call.notes = [rows.note(r) for r in self._all(notes, (sid,))]
            return call

        return await self._run(work)

    async def scan(self, where: Filter) -> AsyncIterator[ScanRow]:
        sql, args = base.scan_steps(SQLITE, where)
        # A read connection of its own: a long report never holds the writer's lock.
        reader = sqlite3.connect(self.path, check_same_thread=False)
        try:
            cursor = await asyncio.to_thread(reader.execute, sql, args)
            while True:
                chunk = await asyncio.to_thread(cursor.fetchmany, SCAN_CHUNK)
                if not chunk:
                    break
                for row in chunk:
                    yield row
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.path}: {exc}") from exc
        finally:
            reader.close()

    async def steps(self, where: Filter) -> AsyncIterator[Step]:
        sql, args = base.full_steps(SQLITE, where)
        reader = sqlite3.connect(self.path, check_same_thread=False)
        try:
            cursor = await asyncio.to_thread(reader.execute, sql, args)
            while chunk := await asyncio.to_thread(cursor.fetchmany, SCAN_CHUNK):
                for row in chunk:
                    yield rows.full_step(row)
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.path}: {exc}") from exc
        finally:
            reader.close()

    async def close_stale(self, cutoff: float) -> int:
        return await self._run(
            lambda: self.db.execute(base.close_stale(SQLITE), (cutoff,)).rowcount
        )

    async def purge(self, before: float) -> int:
        def work() -> int:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                deleted = 0
                for sql in base.purge(SQLITE):
                    deleted = self.db.execute(sql, (before,)).rowcount
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return deleted

        return await self._run(work)

    async def ping(self) -> bool:
        try:
            await self._run(lambda: self.db.execute("SELECT 1").fetchone())
        except HistoryError:
            return False
        return True

    async def close(self) -> None:
        await self._run(self.db.close)
