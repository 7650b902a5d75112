"""One suite for every session store backend; the redis cases need the server on 127.0.0.1:6379.

No pytest-asyncio here: each test runs its coroutine with `asyncio.run`, and the stores
are opened and closed inside that one event loop (redis clients are bound to their loop).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import multiprocessing
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import redis

from flowengine.runtime.session import CallSession
from flowengine.server.stores import StoreError, open_store, redact
from flowengine.server.stores.base import SessionStore
from flowengine.server.stores.checkpoint import SAFETY_NET_PAGES
from flowengine.server.stores.memory import MemorySessionStore
from flowengine.server.stores.redis import RedisSessionStore
from flowengine.server.stores.sqlite import SWEEP_MIN, SqliteSessionStore
from tests.conftest import REDIS_URL, needs_redis


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Backend:
    """Opens stores of one kind, and lets time pass for them (faked where the store allows)."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.clock = FakeClock()
        self.db_path = tmp_path / "sessions.db"
        # A fresh prefix per test so parallel runs and other users of db 0 never collide.
        self.prefix = f"flowengine-test:{uuid.uuid4().hex}:"
        self._open: list[SessionStore] = []

    def open(self, ttl: int = 3600) -> SessionStore:
        store: SessionStore
        if self.kind == "memory":
            store = MemorySessionStore(ttl=ttl, clock=self.clock)
        elif self.kind == "sqlite":
            store = SqliteSessionStore(self.db_path, ttl=ttl, clock=self.clock)
        else:
            store = RedisSessionStore(REDIS_URL, ttl=ttl, prefix=self.prefix)
        self._open.append(store)
        return store

    async def advance(self, seconds: float) -> None:
        if self.kind == "redis":
            await asyncio.sleep(seconds)
        else:
            self.clock.now += seconds

    def run(self, body: Callable[[], Awaitable[None]]) -> None:
        async def main() -> None:
            try:
                await body()
            finally:
                for store in self._open:
                    await store.close()

        asyncio.run(main())

    def cleanup(self) -> None:
        if self.kind != "redis":
            return
        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"{self.prefix}*"))
            if keys:
                client.delete(*keys)
        except redis.ConnectionError:
            pass  # the test itself has already failed on the same error
        finally:
            client.close()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "redis":
        needs_redis()
    b = Backend(request.param, tmp_path)
    yield b
    b.cleanup()


def full_session(key: str = "CA123") -> CallSession:
    return CallSession(
        key=key,
        flow="main-menu",
        version="v3-abc",
        state="billing",
        attempts={"menu": 2, "pin": 1},
        vars={"name": "Zoë", "n": 3, "ok": True, "nested": {"a": [1, 2.5, None]}},
        call={"From": "+15551230000", "To": "+15559870000"},
        path=["welcome", "menu", "billing"],
        ended=True,
        outcome="transferred",
        replies={"t:abc": ["<Response/>", 1767225600.5]},
        hook="3:0123456789abcdef",
    )


async def increment(store: SessionStore, key: str, times: int, yield_between: bool) -> int:
    """Load-modify-save with retry; returns how many conflicts it had to retry."""
    conflicts = 0
    for _ in range(times):
        while True:
            session = await store.load(key) or CallSession(key=key, flow="f", version="1")
            session.vars["n"] = session.vars.get("n", 0) + 1
            if yield_between:
                await asyncio.sleep(0)  # let the other task load the same revision
            if await store.save(session):
                break
            conflicts += 1
    return conflicts


def test_roundtrip_every_field(backend: Backend) -> None:
    original = full_session()
    # Guard: if CallSession grows a field, this fixture must set it to a non-default value.
    for f in dataclasses.fields(CallSession):
        if f.name in ("key", "flow", "version", "rev"):
            continue
        default = f.default_factory() if callable(f.default_factory) else f.default
        assert getattr(original, f.name) != default, f"full_session() leaves {f.name} default"

    async def body() -> None:
        store = backend.open()
        assert await store.save(original)
        assert original.rev == 1
        loaded = await store.load(original.key)
        assert loaded == original
        assert loaded is not original
        assert await store.ping()

    backend.run(body)


def test_missing_key_is_none(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        assert await store.load("nope") is None

    backend.run(body)


def test_cas_conflict_keeps_first_writer(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        assert await store.save(full_session())
        first = await store.load("CA123")
        second = await store.load("CA123")
        assert first is not None and second is not None
        first.vars["who"] = "first"
        second.vars["who"] = "second"
        assert await store.save(first)
        assert first.rev == 2
        assert not await store.save(second)
        assert second.rev == 1  # untouched on conflict
        assert await store.load("CA123") == first
        # Reload-and-retry is how the caller recovers.
        retry = await store.load("CA123")
        assert retry is not None
        retry.vars["who"] = "second"
        assert await store.save(retry)
        assert retry.rev == 3

    backend.run(body)


def test_new_session_conflict(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        a = full_session()
        b = full_session()
        b.state = "other"
        assert await store.save(a)
        assert not await store.save(b)
        assert b.rev == 0
        assert await store.load("CA123") == a

    backend.run(body)


def test_delete(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        await store.delete("never-existed")
        assert await store.save(full_session())
        await store.delete("CA123")
        assert await store.load("CA123") is None
        assert await store.save(full_session())  # the key is free for a new session

    backend.run(body)


def test_ttl_expiry_and_refresh(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open(ttl=1)
        session = full_session()
        assert await store.save(session)
        await backend.advance(0.6)
        assert await store.save(session)  # a save refreshes the ttl
        await backend.advance(0.6)
        assert await store.load("CA123") == session
        await backend.advance(0.6)
        assert await store.load("CA123") is None
        # An expired session behaves as missing: stale revisions conflict, new ones win.
        assert not await store.save(session)
        assert await store.save(full_session())

    backend.run(body)


def test_flow_source_roundtrip(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        assert await store.load_flow_source("main", "v1") is None
        await store.save_flow_source("main", "v1", "start: hello\n# ünïcode ☎\n")
        await store.save_flow_source("main", "v2", "start: bye\n")
        assert await store.load_flow_source("main", "v1") == "start: hello\n# ünïcode ☎\n"
        assert await store.load_flow_source("main", "v2") == "start: bye\n"
        assert await store.load_flow_source("other", "v1") is None
        await store.save_flow_source("main", "v1", "start: again\n")
        assert await store.load_flow_source("main", "v1") == "start: again\n"

    backend.run(body)


def test_concurrent_tasks_lose_no_update(backend: Backend) -> None:
    async def body() -> None:
        store = backend.open()
        conflicts = await asyncio.gather(
            increment(store, "CA-concurrent", 50, yield_between=True),
            increment(store, "CA-concurrent", 50, yield_between=True),
        )
        final = await store.load("CA-concurrent")
        assert final is not None
        assert final.vars["n"] == 100
        assert final.rev == 100
        assert sum(conflicts) > 0, "the tasks never raced, so CAS was not exercised"

    backend.run(body)


def test_sqlite_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "s.db"

    async def body() -> None:
        first = SqliteSessionStore(path)
        session = full_session()
        assert await first.save(session)
        await first.save_flow_source("main", "v1", "src")
        await first.close()
        second = SqliteSessionStore(path)
        assert await second.load("CA123") == session
        assert await second.load_flow_source("main", "v1") == "src"
        assert not await second.save(full_session())  # still taken after restart
        await second.close()

    asyncio.run(body())


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = SqliteSessionStore(tmp_path / "s.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    asyncio.run(store.close())


def count_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


def test_sqlite_cleans_up_expired_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    clock = FakeClock()

    async def body() -> None:
        store = SqliteSessionStore(path, ttl=1, clock=clock)
        assert await store.save(full_session("old"))
        clock.now += 2
        assert await store.save(full_session("a"))
        assert count_rows(path) == 1  # the batch that wrote "a" swept "old"
        # Many expired sessions go a bounded number per batch, never in one long delete.
        await asyncio.gather(*(store.save(full_session(f"bulk{i}")) for i in range(150)))
        clock.now += 2
        assert await store.save(full_session("b"))
        assert count_rows(path) == 152 - SWEEP_MIN
        assert await store.save(full_session("c"))
        assert count_rows(path) == 153 - 2 * SWEEP_MIN
        clock.now += 5
        await store.close()
        reopened = SqliteSessionStore(path, ttl=1, clock=clock)
        assert count_rows(path) == 0  # everything expired is swept on open
        await reopened.close()

    asyncio.run(body())


def test_sqlite_checkpoints_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "s.db"

    async def body() -> None:
        store = SqliteSessionStore(path)
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SAFETY_NET_PAGES
        for i in range(20):
            assert await store.save(full_session(f"CA{i}"))
        checkpointer = store._checkpointer
        assert checkpointer is not None
        for _ in range(100):  # the thread checkpoints within its interval (0.1 s)
            if checkpointer.checkpoints:
                break
            await asyncio.sleep(0.02)
        assert checkpointer.checkpoints >= 1
        await store.close()

    asyncio.run(body())


def test_sqlite_errors_are_store_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError):
        SqliteSessionStore(blocker / "s.db")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a sqlite database" * 100)
    with pytest.raises(StoreError):
        SqliteSessionStore(garbage)

    async def body() -> None:
        store = SqliteSessionStore(tmp_path / "ok.db")
        await store.close()
        with pytest.raises(StoreError):
            await store.load("x")
        with pytest.raises(StoreError):
            await store.save(full_session())
        assert not await store.ping()

    asyncio.run(body())


def _process_worker(path: str, times: int, barrier: multiprocessing.synchronize.Barrier) -> None:
    async def work() -> None:
        store = SqliteSessionStore(path)
        barrier.wait(timeout=30)
        await increment(store, "CA-procs", times, yield_between=False)
        await store.close()

    asyncio.run(work())


def test_sqlite_two_processes_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    # spawn, not fork: a fork inherits the parent's threads' locks (earlier tests' checkpoint
    # threads, logging), and a child stuck on one of them hung the whole run at exit.
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_process_worker, args=(str(path), 100, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()

    async def check() -> None:
        store = SqliteSessionStore(path)
        final = await store.load("CA-procs")
        assert final is not None
        assert final.vars["n"] == 200
        assert final.rev == 200
        await store.close()

    asyncio.run(check())


def test_open_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def body() -> None:
        memory = open_store("memory://", ttl=7)
        assert isinstance(memory, MemorySessionStore)
        assert memory.ttl == 7

        relative = open_store("sqlite:///rel/dir/s.db")
        assert isinstance(relative, SqliteSessionStore)
        assert (tmp_path / "rel" / "dir" / "s.db").exists()
        await relative.close()

        absolute_path = tmp_path / "abs" / "s.db"
        absolute = open_store(f"sqlite:///{absolute_path}", ttl=9)
        assert str(absolute_path).startswith("/")  # so the URL above had four slashes
        assert isinstance(absolute, SqliteSessionStore)
        assert absolute.path == absolute_path
        assert absolute.ttl == 9
        assert absolute_path.exists()
        await absolute.close()

        red = open_store("redis://127.0.0.1:6379/0?prefix=myapp:")
        assert isinstance(red, RedisSessionStore)
        assert red.prefix == "myapp:"
        await red.close()
        plain = open_store("rediss://example.invalid:6380/2")
        assert isinstance(plain, RedisSessionStore)
        assert plain.prefix == "flowengine:"
        await plain.close()

    asyncio.run(body())

    for bad in ("postgres://x/y", "sessions.db", "sqlite://", "sqlite:///", "mem://"):
        with pytest.raises(ValueError) as info:
            open_store(bad)
        message = str(info.value)
        for form in ("memory://", "sqlite:///", "sqlite:////", "redis://"):
            assert form in message


def test_redis_prefix_and_flow_ttl(tmp_path: Path) -> None:
    needs_redis()
    backend = Backend("redis", tmp_path)

    async def body() -> None:
        store = backend.open()
        assert await store.save(full_session())
        await store.save_flow_source("main", "v1", "src")
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        assert await client.exists(f"{backend.prefix}session:CA123") == 1
        flow_ttl = await client.ttl(f"{backend.prefix}flow:main:v1")
        assert 6 * 24 * 3600 < flow_ttl <= 7 * 24 * 3600
        await client.aclose()

    try:
        backend.run(body)
    finally:
        backend.cleanup()


def test_redis_flow_source_ttl_is_renewed_when_a_server_reads_it(tmp_path: Path) -> None:
    """A version live calls still use must outlive the week: each read renews its ttl."""
    needs_redis()
    backend = Backend("redis", tmp_path)

    async def body() -> None:
        store = backend.open()
        await store.save_flow_source("main", "v1", "src")
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        key = f"{backend.prefix}flow:main:v1"
        await client.expire(key, 60)  # as if six days and 23 hours had gone by
        assert await store.load_flow_source("main", "v1") == "src"
        assert await client.ttl(key) > 6 * 24 * 3600
        await client.aclose()

    try:
        backend.run(body)
    finally:
        backend.cleanup()


def test_redis_closed_port_raises_store_error() -> None:
    async def body() -> None:
        store = open_store("redis://127.0.0.1:1/0")
        assert not await store.ping()
        with pytest.raises(StoreError):
            await store.load("x")
        with pytest.raises(StoreError):
            await store.save(full_session())
        with pytest.raises(StoreError):
            await store.delete("x")
        with pytest.raises(StoreError):
            await store.save_flow_source("f", "v", "s")
        with pytest.raises(StoreError):
            await store.load_flow_source("f", "v")
        await store.close()

    asyncio.run(body())


@pytest.mark.parametrize(
    ("url", "ttl"),
    [
        ("memory://?ttl=5", 5),
        ("sqlite:///{tmp}/s.db?ttl=60", 60),
        ("redis://127.0.0.1:6379/0?ttl=9&prefix=ttltest:", 9),
        ("memory://", 24 * 60 * 60),
    ],
    ids=["memory", "sqlite", "redis", "default"],
)
def test_ttl_in_the_store_url(url: str, ttl: int, tmp_path: Path) -> None:
    assert open_store(url.format(tmp=tmp_path)).ttl == ttl


def test_bad_ttl_in_the_store_url() -> None:
    with pytest.raises(ValueError, match="ttl"):
        open_store("memory://?ttl=soon")


def test_session_json_keeps_every_value_exact() -> None:
    session = full_session()
    session.vars.update(big=10**30, small=-(2**63), ratio=0.1, text="é\u2028<>&", flag=True)
    session.vars.update(forever=float("inf"), below=float("-inf"))
    again = CallSession.from_json(session.to_json())
    assert again == session
    assert again.vars["big"] == 10**30 and isinstance(again.vars["big"], int)
    session.vars["nothing"] = float("nan")
    assert math.isnan(CallSession.from_json(session.to_json()).vars["nothing"])


def test_sqlite_saves_of_one_event_loop_turn_share_one_commit(tmp_path: Path) -> None:
    async def body() -> None:
        store = SqliteSessionStore(tmp_path / "s.db")
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        results = await asyncio.gather(*(store.save(full_session(f"CA{i}")) for i in range(20)))
        assert results == [True] * 20
        assert statements.count("COMMIT") == 1
        assert count_rows(tmp_path / "s.db") == 20  # committed: another connection sees them
        await store.close()

    asyncio.run(body())


class FailingDb:
    """The store's connection, failing the statements `fails` picks (a full disk, say)."""

    def __init__(self, db: sqlite3.Connection, fails: Callable[[str, tuple[object, ...]], bool]):
        self.db = db
        self.fails = fails

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        if self.fails(sql, params):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, params)


@pytest.mark.parametrize("failing", ["COMMIT", "second write"])
def test_sqlite_failed_batch_fails_every_save_in_it_and_saves_nothing(
    tmp_path: Path, failing: str
) -> None:
    def fails(sql: str, params: tuple[object, ...]) -> bool:
        if failing == "COMMIT":
            return sql == "COMMIT"
        return "INSERT INTO sessions" in sql and params[0] == "CA1"

    async def body() -> None:
        store = SqliteSessionStore(tmp_path / "s.db")
        real = store._db
        store._db = FailingDb(real, fails)  # type: ignore[assignment]
        saves = [store.save(full_session(f"CA{i}")) for i in range(3)]
        outcomes = await asyncio.gather(*saves, return_exceptions=True)
        assert all(isinstance(o, StoreError) for o in outcomes), outcomes
        store._db = real
        assert not real.in_transaction
        assert count_rows(tmp_path / "s.db") == 0  # rolled back, nothing half-saved
        assert await store.save(full_session("CA0"))  # and the store still works
        await store.close()

    asyncio.run(body())


def test_sqlite_batch_of_a_stopped_loop_neither_locks_nor_blocks(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SqliteSessionStore(path)
    loop = asyncio.new_event_loop()
    task = loop.create_task(store.save(full_session("lost")))
    loop.call_soon(loop.stop)  # stops before the turn that would run the batch
    loop.run_forever()
    assert not task.done()
    with sqlite3.connect(path, timeout=0) as other:  # no lock held: no wait at all
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")

    async def later() -> None:
        assert await store.save(full_session("kept"))
        assert await store.load("kept") is not None
        await store.close()

    asyncio.run(later())
    task.cancel()
    loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
    loop.close()


def test_sqlite_reads_do_not_see_writes_still_queued(tmp_path: Path) -> None:
    async def body() -> None:
        store = SqliteSessionStore(tmp_path / "s.db")
        pending = asyncio.ensure_future(store.save(full_session("CA1")))
        await asyncio.sleep(0)  # the save is queued, its batch not yet run
        assert store._pending is not None and store._pending.writes
        assert await store.load("CA1") is None
        assert await pending
        assert await store.load("CA1") is not None
        await store.close()

    asyncio.run(body())


def test_sqlite_close_runs_the_queued_batch_once(tmp_path: Path) -> None:
    async def body() -> None:
        store = SqliteSessionStore(tmp_path / "s.db")
        pending = asyncio.ensure_future(store.save(full_session("CA1")))
        await asyncio.sleep(0)
        await store.close()
        assert await pending
        await asyncio.sleep(0.01)  # the scheduled run finds the batch done: no error

    asyncio.run(body())
    assert count_rows(tmp_path / "s.db") == 1


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("redis://:hunter2@127.0.0.1:6379/0", "hunter2"),
        # redis-py takes everything up to the last "@" as the password: so must redact
        ("redis://:p@ss@127.0.0.1:6379/0", "ss@"),
        ("rediss://me:s3cr#t@cache.example:6380/0?ttl=60", "s3cr"),
        ("redis://:pa/ss@127.0.0.1/0", "pa/ss"),
        ("redis://:a?b@127.0.0.1/0", "a?b"),
    ],
    ids=["plain", "at-sign", "hash", "slash", "question-mark"],
)
def test_redact_hides_every_character_of_a_password(url: str, secret: str) -> None:
    quoted = f"bad ttl in session store URL {url!r}: give whole seconds"
    for text in (url, quoted, f"{url} and {url}"):
        shown = redact(text)
        assert secret not in shown and "***@" in shown, shown
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    already = "bad redis URL redis://***@h:x/0: Port"
    assert redact(already) == already
