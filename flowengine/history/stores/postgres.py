"""The call history in PostgreSQL (psycopg 3, async): for several servers sharing one history.

The URL may name a schema (`?schema=NAME`) so that several deployments, or test runs,
share one database without seeing each other's calls. A lost connection is opened again
on the next use; until then writes fail, and the writer keeps their records and retries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from flowengine.history.record import CallRecord, Note, Step
from flowengine.history.stores import base, rows
from flowengine.history.stores.base import POSTGRES, Filter, HistoryError, HistoryStore, ScanRow
from flowengine.history.stores.sql import statements

CONNECT_TIMEOUT_SECONDS = 3
SCAN_CHUNK = 5000


def split_url(url: str) -> tuple[str, str]:
    """The connection URL for libpq, and the schema to use (default: public)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), "public")
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"bad schema name {schema!r} in history URL: letters, digits and _")
    kept = urlencode([(k, v) for k, v in query if k != "schema"])
    scheme = "postgresql" if parts.scheme in ("postgres", "postgresql") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, kept, "")), schema


class PostgresHistoryStore(HistoryStore):
    def __init__(self, url: str) -> None:
        self.url = url
        self.conninfo, self.schema = split_url(url)
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def connection(self) -> psycopg.AsyncConnection[Any]:
        if self.conn is not None and not self.conn.closed:
            return self.conn
        try:
            conn = await psycopg.AsyncConnection.connect(
                self.conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True
            )
            async with conn.transaction():
                # Servers starting together would race to create the same tables.
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                await conn.execute(f'SET search_path TO "{self.schema}"')
                for sql in base.schema(POSTGRES):
                    await conn.execute(sql)
                await self._migrate(conn)
        except psycopg.Error as exc:
            raise HistoryError(f"history database unreachable: {exc}") from exc
        self.conn = conn
        return conn

    async def _migrate(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Add the columns a history from an older release lacks. Asked first: ALTER TABLE
        waits for every reader of the table (a long replay), even when it has nothing to do."""
        for table, column, kind in base.ADDED_COLUMNS:
            found = await conn.execute(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                (self.schema, table, column),
            )
            if await found.fetchone() is None:
                await conn.execute(base.add_column(POSTGRES, table, column, kind))

    async def _lost(self, exc: psycopg.Error) -> HistoryError:
        if self.conn is not None and (self.conn.closed or self.conn.broken):
            self.conn = None
        return HistoryError(f"history database: {exc}")

    async def write(self, items: Sequence[Step | Note]) -> None:
        conn = await self.connection()
        try:
            async with conn.transaction(), conn.cursor() as cursor:
                for sql, params in statements(POSTGRES, items):
                    await cursor.executemany(sql, params)
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc

    async def _all(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        conn = await self.connection()
        try:
            cursor = await conn.execute(sql, args)
            return await cursor.fetchall()
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc

    async def calls(self, where: Filter) -> list[CallRecord]:
        sql, args = base.list_calls(POSTGRES, where)
        return [rows.record(r) for r in await self._all(sql, args)]

    async def call(self, sid: str) -> CallRecord | None:
        found = await self._all(f"SELECT {base.CALL_COLUMNS} FROM calls WHERE sid = %s", (sid,))
        if not found:
            return None
        call = rows.record(found[0])
        steps = f"SELECT {base.STEP_COLUMNS} FROM steps WHERE sid = %s ORDER BY rev"
        call.steps = [rows.step(r, call) for r in await self._all(steps, (sid,))]
        notes = "SELECT sid, at, kind, data FROM notes WHERE sid = %s ORDER BY at"
        call.notes = [rows.note(r) for r in await self._all(notes, (sid,))]
        return call

    async def scan(self, where: Filter) -> AsyncIterator[ScanRow]:
        sql, args = base.scan_steps(POSTGRES, where)
        conn = await self.connection()
        try:
            async with conn.transaction(), conn.cursor(name="history_scan") as cursor:
                await cursor.execute(sql, args)
                while chunk := await cursor.fetchmany(SCAN_CHUNK):
                    for row in chunk:
                        yield row
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc

    async def steps(self, where: Filter) -> AsyncIterator[Step]:
        sql, args = base.full_steps(POSTGRES, where)
        conn = await self.connection()
        try:
            async with conn.transaction(), conn.cursor(name="history_steps") as cursor:
                await cursor.execute(sql, args)
                while chunk := await cursor.fetchmany(SCAN_CHUNK):
                    for row in chunk:
                        yield rows.full_step(row)
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc

    async def close_stale(self, cutoff: float) -> int:
        conn = await self.connection()
        try:
            cursor = await conn.execute(base.close_stale(POSTGRES), (cutoff,))
            return cursor.rowcount
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc

    async def purge(self, before: float) -> int:
        conn = await self.connection()
        deleted = 0
        try:
            async with conn.transaction():
                for sql in base.purge(POSTGRES):
                    deleted = (await conn.execute(sql, (before,))).rowcount
        except psycopg.Error as exc:
            raise await self._lost(exc) from exc
        return deleted

    async def ping(self) -> bool:
        try:
            await self._all("SELECT 1", ())
        except HistoryError:
            return False
        return True

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None
