"""The history store interface, and the SQL both backends share (one dialect switch)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from flowengine.history.record import CallRecord, Note, Step


class HistoryError(Exception):
    """The history store could not be reached or answered badly."""


@dataclass(frozen=True)
class Filter:
    flow: str | None = None
    caller: str | None = None
    outcome: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int | None = None


# One row of steps for the report, no TwiML: sid, flow, at, event, state, input, trail
# (JSON), and the call's outcome and start.
ScanRow = tuple[str, str, float, str, str, str, str, str, float]


class HistoryStore(ABC):
    url: str = ""

    @abstractmethod
    async def write(self, items: Sequence[Step | Note]) -> None:
        """Write one batch in one transaction: all of it, or nothing (and raise)."""

    @abstractmethod
    async def calls(self, where: Filter) -> list[CallRecord]:
        """Calls (newest first) without their steps."""

    @abstractmethod
    async def call(self, sid: str) -> CallRecord | None:
        """One call with its steps and notes."""

    @abstractmethod
    def scan(self, where: Filter) -> AsyncIterator[ScanRow]:
        """The steps of the calls `where` selects, in call and step order (for reports)."""

    @abstractmethod
    def steps(self, where: Filter) -> AsyncIterator[Step]:
        """Whole steps (with what the caller heard) of the calls `where` selects, in call
        and step order (for replay). `where.flow` is the flow the calls started in."""

    @abstractmethod
    async def close_stale(self, cutoff: float) -> int:
        """Close calls last heard of before `cutoff` that no status callback closed."""

    @abstractmethod
    async def purge(self, before: float) -> int:
        """Delete calls started before `before`, with their steps and notes."""

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class Dialect:
    mark: str  # the parameter placeholder
    real: str
    greatest: str
    least: str


SQLITE = Dialect("?", "REAL", "max", "min")
POSTGRES = Dialect("%s", "DOUBLE PRECISION", "GREATEST", "LEAST")

CALL_COLUMNS = (
    "sid, flow, version, direction, caller, called, started_at, last_at, ended_at, "
    "outcome, ended_how, path"
)
STEP_COLUMNS = (
    "sid, rev, at, flow, version, event, state, input, trail, outcome, ended, twiml, events, "
    "fetches"
)
STEP_WIDTH = len(STEP_COLUMNS.split(","))

# Columns added since the first release, in order: (table, column, type). A history created
# by an older release gets them when a newer one opens it; its rows read NULL there, which
# says "not recorded then" (a step's fetch answers: replay cannot know what was said).
ADDED_COLUMNS = (("steps", "fetches", "TEXT"),)


def schema(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS calls (
            sid TEXT PRIMARY KEY, flow TEXT NOT NULL, version TEXT NOT NULL,
            direction TEXT NOT NULL, caller TEXT NOT NULL, called TEXT NOT NULL,
            started_at {d.real} NOT NULL, last_at {d.real} NOT NULL, ended_at {d.real},
            outcome TEXT NOT NULL, ended_how TEXT NOT NULL, path TEXT NOT NULL,
            rev INTEGER NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS calls_started ON calls (started_at)",
        "CREATE INDEX IF NOT EXISTS calls_open ON calls (last_at) WHERE ended_how = ''",
        f"""CREATE TABLE IF NOT EXISTS steps (
            sid TEXT NOT NULL, rev INTEGER NOT NULL, at {d.real} NOT NULL,
            flow TEXT NOT NULL, version TEXT NOT NULL, event TEXT NOT NULL,
            state TEXT NOT NULL, input TEXT NOT NULL, trail TEXT NOT NULL,
            outcome TEXT NOT NULL, ended INTEGER NOT NULL, twiml TEXT NOT NULL,
            events TEXT NOT NULL, PRIMARY KEY (sid, rev))""",
        f"""CREATE TABLE IF NOT EXISTS notes (
            sid TEXT NOT NULL, at {d.real} NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
            PRIMARY KEY (sid, kind, at))""",
    ]


def add_column(d: Dialect, table: str, column: str, kind: str) -> str:
    """PostgreSQL says IF NOT EXISTS; SQLite cannot, and its store asks first."""
    guard = "IF NOT EXISTS " if d is POSTGRES else ""
    return f"ALTER TABLE {table} ADD COLUMN {guard}{column} {kind}"


def insert_step(d: Dialect) -> str:
    marks = ", ".join([d.mark] * STEP_WIDTH)
    return f"INSERT INTO steps ({STEP_COLUMNS}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def upsert_call(d: Dialect) -> str:
    """The call's row after one step: the newest step (by revision) says path and outcome."""
    marks = ", ".join([d.mark] * 13)
    newer = "excluded.rev > calls.rev"
    return f"""INSERT INTO calls ({CALL_COLUMNS}, rev) VALUES ({marks})
        ON CONFLICT (sid) DO UPDATE SET
          started_at = {d.least}(calls.started_at, excluded.started_at),
          last_at = {d.greatest}(calls.last_at, excluded.last_at),
          ended_at = COALESCE(calls.ended_at, excluded.ended_at),
          path = CASE WHEN {newer} THEN excluded.path ELSE calls.path END,
          outcome = CASE WHEN {newer} AND calls.ended_how = '' THEN excluded.outcome
                         ELSE calls.outcome END,
          caller = CASE WHEN calls.caller = '' THEN excluded.caller ELSE calls.caller END,
          called = CASE WHEN calls.called = '' THEN excluded.called ELSE calls.called END,
          direction = CASE WHEN calls.direction = '' THEN excluded.direction
                           ELSE calls.direction END,
          rev = {d.greatest}(calls.rev, excluded.rev)"""


def close_by_status(d: Dialect) -> str:
    """Twilio says the call is over: a flow that had not ended lost its caller."""
    m = d.mark
    return f"""UPDATE calls SET ended_at = {m}, ended_how = {m},
        outcome = CASE WHEN outcome <> '' THEN outcome
                       WHEN {m} = 'completed' THEN 'caller-hung-up' ELSE {m} END
        WHERE sid = {m}"""


def close_stale(d: Dialect) -> str:
    return f"""UPDATE calls SET ended_how = 'session-expired',
        ended_at = COALESCE(ended_at, last_at),
        outcome = CASE WHEN outcome = '' THEN 'abandoned' ELSE outcome END
        WHERE ended_how = '' AND last_at < {d.mark}"""


def insert_note(d: Dialect) -> str:
    return (
        f"INSERT INTO notes (sid, at, kind, data) VALUES ({d.mark}, {d.mark}, {d.mark}, "
        f"{d.mark}) ON CONFLICT DO NOTHING"
    )


def purge(d: Dialect) -> list[str]:
    old = f"SELECT sid FROM calls WHERE started_at < {d.mark}"
    return [
        f"DELETE FROM steps WHERE sid IN ({old})",
        f"DELETE FROM notes WHERE sid IN ({old})",
        f"DELETE FROM calls WHERE started_at < {d.mark}",
    ]


def where_clause(d: Dialect, where: Filter, prefix: str = "") -> tuple[str, list[Any]]:
    parts: list[str] = []
    args: list[Any] = []
    for column, value, op in (
        ("flow", where.flow, "="),
        ("caller", where.caller, "="),
        ("outcome", where.outcome, "="),
        ("started_at", where.since, ">="),
        ("started_at", where.until, "<"),
    ):
        if value is not None:
            parts.append(f"{prefix}{column} {op} {d.mark}")
            args.append(value)
    return (" WHERE " + " AND ".join(parts)) if parts else "", args


def list_calls(d: Dialect, where: Filter) -> tuple[str, list[Any]]:
    clause, args = where_clause(d, where)
    sql = f"SELECT {CALL_COLUMNS} FROM calls{clause} ORDER BY started_at DESC"
    if where.limit is not None:
        sql += f" LIMIT {int(where.limit)}"
    return sql, args


def scan_steps(d: Dialect, where: Filter) -> tuple[str, list[Any]]:
    calls_only = Filter(None, where.caller, where.outcome, where.since, where.until)
    clause, args = where_clause(d, calls_only, "c.")
    if where.flow is not None:  # a call handed over to this flow counts for it too
        clause += (" AND " if clause else " WHERE ") + f"s.flow = {d.mark}"
        args.append(where.flow)
    sql = (
        "SELECT s.sid, s.flow, s.at, s.event, s.state, s.input, s.trail, c.outcome, c.started_at "
        f"FROM steps s JOIN calls c ON c.sid = s.sid{clause} ORDER BY s.sid, s.rev"
    )
    return sql, args


def full_steps(d: Dialect, where: Filter) -> tuple[str, list[Any]]:
    """Steps with the call's numbers; with a limit, of the newest calls `where` selects."""
    columns = ", ".join(f"s.{c.strip()}" for c in STEP_COLUMNS.split(","))
    select = f"SELECT {columns}, c.direction, c.caller, c.called FROM steps s JOIN calls c "
    order = " ORDER BY s.sid, s.rev"
    if where.limit is None:
        clause, args = where_clause(d, where, "c.")
        return f"{select}ON c.sid = s.sid{clause}{order}", args
    inner, args = list_calls(d, where)
    newest = inner.replace(f"SELECT {CALL_COLUMNS}", "SELECT sid", 1)
    return f"{select}ON c.sid = s.sid WHERE s.sid IN ({newest}){order}", args
