"""The replay guard's parts: request ids, kept answers, and claims that one process wins."""

from __future__ import annotations

import asyncio
from pathlib import Path

from flowengine.runtime.session import CallSession
from flowengine.server import replay
from flowengine.server.stores import open_store
from flowengine.server.stores.sqlite import SqliteSessionStore


def test_the_token_names_a_request_and_the_digest_covers_route_and_form() -> None:
    token = {"i-twilio-idempotency-token": "abc"}
    assert replay.request_id(token, "/voice/main", b"A=1") == "t:abc"
    assert replay.request_id(token, "/voice/other", b"B=2") == "t:abc"
    one = replay.request_id({}, "/voice/main", b"CallSid=CA1&Digits=1")
    assert one.startswith("d:")
    assert one == replay.request_id({}, "/voice/main", b"CallSid=CA1&Digits=1")
    assert one != replay.request_id({}, "/voice/main", b"CallSid=CA1&Digits=2")
    assert one != replay.request_id({}, "/voice/main?state=x", b"CallSid=CA1&Digits=1")


def test_answers_are_kept_for_the_last_few_requests_and_digests_only_briefly() -> None:
    session = CallSession("CA1", "main", "v1")
    for n in range(replay.KEEP + 2):
        replay.remember(session, f"t:{n}", f"<R{n}/>", now=100.0)
    assert replay.answer(session, "t:0") is None  # the oldest are forgotten
    assert replay.answer(session, f"t:{replay.KEEP + 1}") == f"<R{replay.KEEP + 1}/>"
    assert replay.answer(session, "t:2", now=10_000.0) == "<R2/>"  # tokens do not age
    replay.remember(session, "d:x", "<D/>", now=100.0)
    assert replay.answer(session, "d:x", now=100.5) == "<D/>"
    assert replay.answer(session, "d:x", now=102.0) is None  # a real repeat, later
    replay.remember(session, "t:next", "<N/>", now=100.6)
    assert replay.answer(session, "d:x", now=100.7) is None  # only the newest answer


def test_a_claim_is_won_once_across_store_objects(tmp_path: Path, redis_url: str) -> None:
    async def body() -> None:
        first = SqliteSessionStore(tmp_path / "s.db")
        second = SqliteSessionStore(tmp_path / "s.db")  # as another process would
        won = await asyncio.gather(*(replay.claim(s, "send:CA1") for s in [first, second] * 3))
        assert sorted(won) == [False] * 5 + [True]
        assert await replay.claim(second, "send:CA2")
        for store in (first, second):
            await store.close()
        for url in ("memory://", redis_url):
            store = open_store(url)
            assert await replay.claim(store, "x") and not await replay.claim(store, "x")
            await store.close()

    asyncio.run(body())
