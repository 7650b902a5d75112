"""call_back: what the flow language accepts, what a step ends with, and the line's order.

The line runs on a real SQLite store and places calls through the real twilio Client
against the local Twilio API stand-in (tests/twilio_fake.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import load_flow
from flowengine.runtime import step
from flowengine.runtime.interpreter import Event
from flowengine.server.callback_turns import next_turn
from flowengine.server.callbacks import LOST_SECONDS, Callbacks, wanted
from flowengine.server.stores.sqlite import SqliteSessionStore
from tests.twilio_fake import TwilioFake

HOLD = """\
start: offer
states:
  offer:
    gather: {digits: 1, say: Press 1 to be called back.}
    on: {"1": call_me_back, "no-input, no-match": offer}
  call_me_back:
    say: We will call you back.
    call_back: {flow: callback%s}
"""
PARAMS = {"CallSid": "CA1", "From": "+15551110001", "To": "+15550001111", "Digits": "1"}


def hold(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "hold.yaml"
    path.write_text(HOLD % extra, encoding="utf-8")
    return path


def test_call_back_says_its_prompts_hangs_up_and_asks(tmp_path: Path) -> None:
    graph = load_flow(str(hold(tmp_path, ", tries: 2")))
    result = step(graph, None, Event("gather", PARAMS, state="offer"))
    assert result.twiml.endswith("<Say>We will call you back.</Say><Hangup/></Response>")
    asked = wanted(graph, result)
    assert asked is not None and (asked.flow, asked.tries) == ("callback", 2)
    # Any other ending asks for nothing.
    assert wanted(graph, step(graph, None, Event("call", PARAMS))) is None


def test_tries_default_to_three_and_are_bounded(tmp_path: Path) -> None:
    graph = load_flow(str(hold(tmp_path)))
    assert graph.states["call_me_back"].call_back is not None
    assert graph.states["call_me_back"].call_back.tries == 3
    with pytest.raises(FlowError, match="tries"):
        load_flow(str(hold(tmp_path, ", tries: 9")))
    with pytest.raises(FlowError, match="next"):
        load_flow(str(hold(tmp_path, "}\n    next: offer\n#")))


def test_the_line_keeps_each_callers_place(tmp_path: Path, twilio_api: TwilioFake) -> None:
    now = [1000.0]
    asked = wanted(
        load_flow(str(hold(tmp_path, ", tries: 2"))),
        step(load_flow(str(hold(tmp_path, ", tries: 2"))), None, Event("gather", PARAMS, "offer")),
    )
    assert asked is not None

    async def run() -> list[str]:
        store = SqliteSessionStore(tmp_path / "sessions.db")
        line = Callbacks(store, "https://ivr.example.com/", 1, 60, clock=lambda: now[0])
        try:
            await line.ask("CAfirst", "+15551110001", "+15550001111", asked)
            await line.ask("CAsecond", "+15551110002", "+15550001111", asked)
            await line.ask("CAfirst", "+15551110001", "+15550001111", asked)  # a repeat
            assert [item["id"] for item in await line.line()] == ["CAfirst", "CAsecond"]
            order = [(await line.place_due()) or {} for _ in range(3)]
            assert await line.finished("CAfirst", "no-answer") == "retry"
            assert await line.place_due() is None  # due again only after retry_after
            now[0] += 60
            again = await line.place_due()
            assert await line.finished("CAsecond", "completed") == "answered"
            assert await line.finished("CAfirst", "failed") == "gave-up"
            assert await line.line() == []
            # A placed call that never reports back is tried again after LOST_SECONDS,
            # and given up when that was its last try.
            await line.ask("CAlost", "+15551110003", "+15550001111", asked)
            assert (await line.place_due() or {}).get("placed") == 1
            assert await line.place_due() is None
            now[0] += LOST_SECONDS
            assert (await line.place_due() or {}).get("placed") == 2
            now[0] += LOST_SECONDS
            assert await line.place_due() is None
            assert await line.line() == []
            return [item.get("id", "") for item in [*order, again or {}]]
        finally:
            await store.close()

    assert asyncio.run(run()) == ["CAfirst", "CAsecond", "", "CAfirst"]
    calls = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert [r.field("To") for r in calls][:3] == ["+15551110001", "+15551110002", "+15551110001"]
    assert len(calls) == 5
    assert {r.field("Url") for r in calls} == {"https://ivr.example.com/voice/callback"}
    assert calls[0].field("StatusCallback") == "https://ivr.example.com/callback/CAfirst"


def test_a_queues_requests_move_up_as_agents_take_callers(
    tmp_path: Path, twilio_api: TwilioFake
) -> None:
    """Dequeues count once per call, only for their queue; nobody ahead: placed by "turn",
    however far the rate rule's round; max_wait is the ceiling."""
    now = [1000.0]
    graph = load_flow(str(hold(tmp_path, ", tries: 2")))
    asked = wanted(graph, step(graph, None, Event("gather", PARAMS, "offer")))
    assert asked is not None

    async def run() -> list[str]:
        store = SqliteSessionStore(tmp_path / "sessions.db")
        line = Callbacks(
            store, "https://ivr.example.com", 3600, 60, clock=lambda: now[0], max_wait=600
        )
        try:
            await line.ask("CAthird", "+15551110003", "+15550001111", asked, "QU1", ahead=2)
            await line.ask("CAother", "+15551110004", "+15550001111", asked, "QU2", ahead=1)
            assert await line.place_due() is None  # neither's turn, and no rate request
            assert await line.dequeued("QU1", "CAx") == 0
            assert await line.dequeued("QU1", "CAx") == 0  # the same dequeue, told twice
            assert [item["ahead"] for item in await line.line()] == [1, 1]
            assert await line.place_due() is None
            assert await line.dequeued("QU1", "CAy") == 1
            assert await line.place_round() == 1  # its turn: placed, whatever the round
            assert await line.dequeued("QU1", "CAz") == 0  # nothing left waiting in QU1
            now[0] += 599
            assert await line.place_due() is None
            now[0] += 1  # CAother waited max_wait: the rate rule places it now
            other = await line.place_due()
            return [str((other or {}).get("id")), str((other or {}).get("why"))]
        finally:
            await store.close()

    assert asyncio.run(run()) == ["CAother", "rate"]
    calls = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert [r.field("To") for r in calls] == ["+15551110003", "+15551110004"]


def test_the_place_comes_from_the_webhook_or_the_last_wait_round(tmp_path: Path) -> None:
    graph = load_flow(str(hold(tmp_path)))
    asked = wanted(graph, step(graph, None, Event("gather", PARAMS, "offer")))
    assert asked is not None

    async def run() -> list[tuple[object, object]]:
        store = SqliteSessionStore(tmp_path / "sessions.db")
        line = Callbacks(store, "", 30, 60, max_wait=600)
        rate = Callbacks(store, "", 30, 60, max_wait=0)  # 0: every request by the rate rule
        try:
            await line.places.keep("CA1", "QU1", "4")
            await line.places.keep("CA1", "QU1", "3")  # a later round: the newer place
            await line.places.keep("CA2", "", "2")  # not in a queue: nothing kept
            await line.ask_for(PARAMS, asked)
            await line.ask_for({**PARAMS, "CallSid": "CA2", "QueueSid": "QU9"}, asked)
            fields = {**PARAMS, "CallSid": "CA3", "QueueSid": "QU9", "QueuePosition": "1"}
            await line.ask_for(fields, asked)
            await rate.ask_for({**fields, "CallSid": "CA4"}, asked)
            return [(item["queue"], item["ahead"]) for item in await line.line()]
        finally:
            await store.close()

    assert asyncio.run(run()) == [("QU1", 2), ("", 0), ("QU9", 0), ("", 0)]


def test_next_turn_wakes_the_task_for_a_retry_only() -> None:
    base = {"calling": False, "queue": "QU1", "ahead": 0}
    assert next_turn([{**base, "due": 1010.0}], 1000.0) == 10.0
    assert next_turn([{**base, "due": 990.0}], 1000.0) == 0.0
    assert next_turn([{**base, "due": 1010.0, "ahead": 1}], 1000.0) is None
    assert next_turn([{**base, "due": 1010.0, "queue": ""}], 1000.0) is None
    assert next_turn([{**base, "due": 1010.0, "calling": True}], 1000.0) is None
