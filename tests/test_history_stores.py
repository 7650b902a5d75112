"""One suite for every history store: a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from flowengine.history.record import Note, Step
from flowengine.history.stores import Filter, HistoryError, HistoryStore, open_history
from flowengine.history.stores.postgres import split_url
from flowengine.history.writer import HistoryWriter
from tests.pg import pg_url  # noqa: F401  (fixture)

T = TypeVar("T")
T0 = 1_800_000_000.0


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/history.db"
    else:
        yield request.getfixturevalue("pg_url")


def run(url: str, work: Callable[[HistoryStore], Awaitable[T]]) -> T:
    async def main() -> T:
        store = open_history(url)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(main())


def step(sid: str, rev: int, at: float, state: str, **kw: Any) -> Step:
    values: dict[str, Any] = {
        "sid": sid,
        "rev": rev,
        "at": at,
        "flow": "main",
        "version": "v1",
        "event": "call" if rev == 1 else "gather",
        "state": "" if rev == 1 else state,
        "input": "" if rev == 1 else "keys:1",
        "trail": (),
        "path": ("welcome",),
        "outcome": "",
        "ended": False,
        "twiml": "<Response/>",
        "direction": "inbound",
        "caller": "+15551234567",
        "called": "+15550001111",
    }
    values.update(kw)
    return Step(**values)


def a_call(sid: str, at: float, *, hang_up: bool) -> list[Step | Note]:
    items: list[Step | Note] = [
        step(sid, 1, at, "welcome"),
        step(
            sid,
            2,
            at + 5,
            "welcome",
            trail=(("welcome", "1", "menu"),),
            path=("welcome", "menu"),
            events=({"kind": "text", "to": "+1", "body": "hi", "media": []},),
        ),
    ]
    if hang_up:
        items.append(
            step(
                sid,
                3,
                at + 9,
                "menu",
                trail=(("menu", "1", "goodbye"),),
                path=("welcome", "menu", "goodbye"),
                outcome="hangup",
                ended=True,
            )
        )
    items.append(Note(sid, at + 10, "status", {"status": "completed", "duration": "10"}))
    return items


def test_a_call_is_written_and_read_back_whole(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write(a_call("CA1", T0, hang_up=True))
        call = await store.call("CA1")
        assert call is not None
        assert (call.flow, call.version, call.caller, call.direction) == (
            "main",
            "v1",
            "+15551234567",
            "inbound",
        )
        assert call.path == ["welcome", "menu", "goodbye"]
        assert (call.started_at, call.ended_at) == (T0, T0 + 10)
        assert (call.outcome, call.ended_how) == ("hangup", "completed")
        assert [s.rev for s in call.steps] == [1, 2, 3]
        assert call.steps[1].trail == (("welcome", "1", "menu"),)
        assert call.steps[1].events[0]["body"] == "hi"
        assert [n.kind for n in call.notes] == ["status"]
        assert await store.call("CA-none") is None

    run(url, work)


def test_the_same_batch_twice_is_kept_once(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        batch = a_call("CA2", T0, hang_up=True)
        await store.write(batch)
        await store.write(batch)
        call = await store.call("CA2")
        assert call is not None and len(call.steps) == 3 and len(call.notes) == 1

    run(url, work)


def test_a_late_older_step_does_not_turn_the_path_back(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        items = a_call("CA3", T0, hang_up=True)
        await store.write([items[0], items[2]])
        await store.write([items[1]])
        call = await store.call("CA3")
        assert call is not None
        assert call.path == ["welcome", "menu", "goodbye"] and call.outcome == "hangup"
        assert [s.rev for s in call.steps] == [1, 2, 3]

    run(url, work)


def test_a_caller_who_hangs_up_mid_menu(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write(a_call("CA4", T0, hang_up=False))
        call = await store.call("CA4")
        assert call is not None and call.outcome == "caller-hung-up"
        assert call.ended_how == "completed"

    run(url, work)


def test_filters_and_order(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write(a_call("CA5", T0, hang_up=True))
        await store.write(a_call("CA6", T0 + 100, hang_up=False))
        other = step("CA7", 1, T0 + 200, "x", flow="other", caller="+15559999999")
        await store.write([other])
        assert [c.sid for c in await store.calls(Filter())] == ["CA7", "CA6", "CA5"]
        assert [c.sid for c in await store.calls(Filter(flow="main"))] == ["CA6", "CA5"]
        assert [c.sid for c in await store.calls(Filter(caller="+15559999999"))] == ["CA7"]
        outcome = Filter(outcome="caller-hung-up")
        assert [c.sid for c in await store.calls(outcome)] == ["CA6"]
        window = Filter(since=T0 + 50, until=T0 + 150)
        assert [c.sid for c in await store.calls(window)] == ["CA6"]
        assert len(await store.calls(Filter(limit=2))) == 2

    run(url, work)


def test_scan_gives_steps_in_call_order(url: str) -> None:
    async def work(store: HistoryStore) -> list[tuple[Any, ...]]:
        await store.write(a_call("CB", T0, hang_up=True))
        await store.write(a_call("CA", T0 + 1, hang_up=True))
        return [row async for row in store.scan(Filter(flow="main"))]

    rows = run(url, work)
    assert [(r[0], r[3]) for r in rows] == [
        ("CA", "call"),
        ("CA", "gather"),
        ("CA", "gather"),
        ("CB", "call"),
        ("CB", "gather"),
        ("CB", "gather"),
    ]


def test_calls_that_never_got_a_status_are_closed_when_their_session_expires(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write([step("CO", 1, T0, "welcome")])
        await store.write([step("CN", 1, T0 + 1000, "welcome")])
        assert await store.close_stale(T0 + 500) == 1
        old, new = await store.call("CO"), await store.call("CN")
        assert old is not None and new is not None
        assert (old.outcome, old.ended_how, old.ended_at) == ("abandoned", "session-expired", T0)
        assert (new.ended_how, new.ended_at) == ("", None)
        assert await store.close_stale(T0 + 500) == 0

    run(url, work)


def test_purge_deletes_old_calls_with_their_steps_and_notes(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write(a_call("OLD", T0, hang_up=True))
        await store.write(a_call("NEW", T0 + 86400, hang_up=True))
        assert await store.purge(T0 + 3600) == 1
        assert await store.call("OLD") is None
        assert [r[0] async for r in store.scan(Filter())] == ["NEW"] * 3

    run(url, work)


def test_a_failed_batch_keeps_nothing_and_the_writer_retries_it(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        writer = HistoryWriter(store, interval=0.01)
        bad = step("BAD", 1, T0, "x", twiml="\x00" if url.startswith("postgresql") else "")
        items = [*a_call("GOOD", T0, hang_up=True)]
        if url.startswith("sqlite"):
            # SQLite takes NUL; a NOT NULL violation fails the batch instead.
            bad = step("BAD", 1, T0, "x", flow=None)
        for item in [*items, bad]:
            writer.append(item)
        assert not await writer.flush_once()
        assert writer.pending == len(items) + 1 and writer.counts.failed_batches == 1
        assert await store.call("GOOD") is None  # all or nothing
        writer.queue.pop()  # the bad record is gone; the rest goes through
        assert await writer.flush_once()
        assert writer.counts.written == len(items) and writer.pending == 0
        assert await store.call("GOOD") is not None

    run(url, work)


def test_an_unreachable_store_raises_a_history_error() -> None:
    async def work(store: HistoryStore) -> None:
        with pytest.raises(HistoryError):
            await store.write(a_call("X", T0, hang_up=True))
        assert not await store.ping()

    # A port where nothing listens.
    run("postgresql://root@127.0.0.1:9/test", work)


def test_bad_urls_are_refused_with_the_forms_named() -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        open_history("mysql://x")
    with pytest.raises(ValueError, match="schema"):
        open_history("postgresql://root@127.0.0.1/test?schema=a;b")


def test_the_writer_keeps_a_bounded_queue_and_counts_what_it_drops(tmp_path: Path) -> None:
    async def work(store: HistoryStore) -> None:
        writer = HistoryWriter(store, max_queue=3)
        dropped: list[int] = []
        writer.on_drop = lambda: dropped.append(1)
        for rev in range(1, 6):
            writer.append(step("CQ", rev, T0 + rev, "welcome"))
        assert writer.pending == 3 and writer.counts.dropped == 2 and len(dropped) == 2
        assert await writer.flush()
        call = await store.call("CQ")
        assert call is not None and [s.rev for s in call.steps] == [3, 4, 5]  # the newest

    run(f"sqlite:///{tmp_path}/h.db", work)


def test_the_writer_task_writes_closes_expired_calls_and_purges(tmp_path: Path) -> None:
    now = [T0 + 40 * 86400]

    async def work(store: HistoryStore) -> None:
        writer = HistoryWriter(
            store, session_ttl=3600, retention_days=30, interval=0.01, clock=lambda: now[0]
        )
        task = asyncio.create_task(writer.run())
        writer.append(step("ANCIENT", 1, T0, "welcome"))  # older than the retention
        writer.append(step("STALE", 1, now[0] - 7200, "welcome"))  # no status, 2 h ago
        writer.append(step("LIVE", 1, now[0] - 60, "welcome"))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if writer.counts.closed_by_expiry and writer.counts.purged:
                break
        await writer.stopped()
        await task
        assert writer.counts.written == 3
        assert await store.call("ANCIENT") is None
        stale, live = await store.call("STALE"), await store.call("LIVE")
        assert stale is not None and stale.ended_how == "session-expired"
        assert live is not None and live.ended_how == ""

    run(f"sqlite:///{tmp_path}/h.db", work)


FETCHED = (
    {"state": "lookup", "method": "GET", "outcome": "ok", "status": 200, "data": {"balance": 5}},
    {"state": "pin", "method": "POST", "outcome": "ok", "status": 200, "kept": "sensitive"},
)


def test_fetch_answers_are_kept_with_their_step(url: str) -> None:
    async def work(store: HistoryStore) -> None:
        await store.write([step("CF", 1, T0, "welcome", fetches=FETCHED)])
        call = await store.call("CF")
        assert call is not None and call.steps[0].fetches == FETCHED
        (replayed,) = [s async for s in store.steps(Filter())]
        assert replayed.fetches == FETCHED

    run(url, work)


# The tables as the previous release created them (before steps.fetches), in each dialect.
PREVIOUS_RELEASE = """
CREATE TABLE calls (sid TEXT PRIMARY KEY, flow TEXT NOT NULL, version TEXT NOT NULL,
  direction TEXT NOT NULL, caller TEXT NOT NULL, called TEXT NOT NULL,
  started_at {real} NOT NULL, last_at {real} NOT NULL, ended_at {real},
  outcome TEXT NOT NULL, ended_how TEXT NOT NULL, path TEXT NOT NULL, rev INTEGER NOT NULL);
CREATE INDEX calls_started ON calls (started_at);
CREATE INDEX calls_open ON calls (last_at) WHERE ended_how = '';
CREATE TABLE steps (sid TEXT NOT NULL, rev INTEGER NOT NULL, at {real} NOT NULL,
  flow TEXT NOT NULL, version TEXT NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL,
  input TEXT NOT NULL, trail TEXT NOT NULL, outcome TEXT NOT NULL, ended INTEGER NOT NULL,
  twiml TEXT NOT NULL, events TEXT NOT NULL, PRIMARY KEY (sid, rev));
CREATE TABLE notes (sid TEXT NOT NULL, at {real} NOT NULL, kind TEXT NOT NULL,
  data TEXT NOT NULL, PRIMARY KEY (sid, kind, at));
INSERT INTO calls VALUES ('OLD', 'main', 'v0', 'inbound', '+15551234567', '+15550001111',
  1800000000, 1800000009, 1800000010, 'hangup', 'completed', '["welcome"]', 1);
INSERT INTO steps VALUES ('OLD', 1, 1800000000, 'main', 'v0', 'call', '', '',
  '[["welcome","ok","menu"]]', '', 0, '<Response/>', '[]');
INSERT INTO notes VALUES ('OLD', 1800000001, 'fetch',
  '{"flow":"main","state":"welcome","outcome":"ok","status":200,"ms":12.5}');
"""


def previous_release(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.executescript(PREVIOUS_RELEASE.replace("{real}", "REAL"))
        return
    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        for sql in PREVIOUS_RELEASE.replace("{real}", "DOUBLE PRECISION").split(";"):
            if sql.strip():
                conn.execute(sql)


def test_a_history_from_the_previous_release_keeps_working(url: str) -> None:
    previous_release(url)

    async def work(store: HistoryStore) -> None:
        old = await store.call("OLD")
        assert old is not None and old.path == ["welcome"] and old.outcome == "hangup"
        assert old.steps[0].fetches is None  # not recorded then: replay will say so
        assert old.steps[0].trail == (("welcome", "ok", "menu"),)
        assert [n.data["ms"] for n in old.notes] == [12.5]
        await store.write([step("NEW", 1, T0 + 50, "welcome", fetches=FETCHED)])
        new = await store.call("NEW")
        assert new is not None and new.steps[0].fetches == FETCHED
        assert [s.fetches async for s in store.steps(Filter())] == [FETCHED, None]
        assert [c.sid for c in await store.calls(Filter())] == ["NEW", "OLD"]

    run(url, work)

    async def again(store: HistoryStore) -> int:  # opened again: the column is there already
        return len(await store.calls(Filter()))

    assert run(url, again) == 2
