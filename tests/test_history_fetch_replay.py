"""Replay with fetch answers, on the pure runtime: calls recorded by the history observer
from real steps, then replayed against changed versions of the flow."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flowengine.flow.compiler import compile_source
from flowengine.flow.graph import Graph
from flowengine.history import fetches
from flowengine.history.observe import HistoryObserver
from flowengine.history.record import Note, Step
from flowengine.history.replay import Outcome, replay_call
from flowengine.runtime.effects import FetchResult
from flowengine.runtime.interpreter import Event, step
from flowengine.runtime.resume import resume
from flowengine.runtime.session import CallSession

FLOW = (Path(__file__).parent / "fixtures" / "history" / "account.yaml").read_text()
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
SECRET = "marmalade-4417"
Move = tuple[str, str | None, dict[str, str]]
NO_INPUT: list[Move] = [("call", None, {}), ("gather", "menu", {"Digits": ""})]
ASKS: list[Move] = [
    ("call", None, {}),
    ("gather", "menu", {"Digits": "1"}),
    ("gather", "menu", {"Digits": ""}),
]


class Sink(list[Step | Note]):
    def append(self, item: Step | Note) -> None:
        super().append(item)


def graph(old: str = "", new: str = "") -> Graph:
    source = FLOW
    if old:
        assert old in source
        source = source.replace(old, new)
    return compile_source(source, "account.yaml", {"BANK_URL": "http://127.0.0.1:9"})


def recorded(sid: str, moves: list[Move], answers: dict[str, list[FetchResult]]) -> list[Step]:
    """A call through the runtime as the server runs it, written down by the observer."""
    live = graph()
    sink = Sink()
    observer = HistoryObserver(sink, lambda flow, version: live, clock=lambda: NOW.timestamp())
    session: CallSession | None = None
    for kind, state, extra in moves:
        params = {"CallSid": sid, "From": "+15550001234", "To": "+15550009999", **extra}
        params["Direction"] = "inbound"
        result = step(live, session, Event(kind, params, state), NOW)
        while result.fetch is not None:
            request = result.fetch
            result = resume(live, result, request, answers[request.state].pop(0), NOW)
        observer.step(sid, {"event": kind, "state": state}, params, result)
        session = result.session
    return [item for item in sink if isinstance(item, Step)]


def ok(data: object) -> FetchResult:
    return FetchResult("ok", 200, data)


def replay(steps: list[Step], against: Graph) -> Outcome:
    return replay_call(steps, lambda name: against if name == against.name else None)


def test_each_step_keeps_the_answers_it_acted_on() -> None:
    steps = recorded("CA1", NO_INPUT, {"lookup": [ok({"balance": 50})]})
    answer = {"state": "lookup", "method": "GET", "outcome": "ok", "status": 200}
    assert steps[0].fetches == ({**answer, "data": {"balance": 50}},)
    assert steps[1].fetches == ()
    failed = recorded("CA2", NO_INPUT[:1], {"lookup": [FetchResult("timeout")]})
    assert failed[0].fetches == (
        {"state": "lookup", "method": "GET", "outcome": "timeout", "status": None, "data": None},
    )


def test_replay_gives_the_changed_flow_what_the_backend_said() -> None:
    poor = recorded("POOR", NO_INPUT, {"lookup": [ok({"balance": 50})]})
    rich = recorded("RICH", NO_INPUT, {"lookup": [ok({"balance": 500})]})
    same = graph()
    assert replay(poor, same).kind == "same" and replay(rich, same).kind == "same"

    lower = graph("less_than: 100", "less_than: 30")
    changed = replay(poor, lower)
    assert (changed.kind, changed.state) == ("changed", "check")
    assert "menu" in changed.detail and "low" in changed.detail
    assert replay(rich, lower).kind == "same"
    # Only the condition's wording changed for this caller: 50 is below 60 too, same path.
    assert replay(poor, graph("less_than: 100", "less_than: 60")).kind == "same"

    reworded = graph("Your balance is low:", "Careful, your balance is")
    heard = replay(poor, reworded)
    assert heard.kind == "changed"  # where the call then waits, as for any change of words
    assert "Careful, your balance is 50 dollars." in heard.detail


def test_a_sensitive_answer_is_never_kept_and_stops_the_replay() -> None:
    answers = {"lookup": [ok({"balance": 500})], "secret": [ok({"word": SECRET})]}
    steps = recorded("CS", ASKS, answers)
    (kept,) = steps[1].fetches or ()
    assert kept == {
        "state": "secret",
        "method": "POST",
        "outcome": "ok",
        "status": 200,
        "kept": "sensitive",
    }
    # The answer is in what the call said; from that step on, nothing it said is kept.
    assert steps[0].twiml and steps[1].twiml == "" and steps[2].twiml == ""
    assert SECRET not in repr(steps)
    outcome = replay(steps, graph())
    assert (outcome.kind, outcome.state) == ("not-replayable", "secret")
    assert "sensitive" in outcome.detail


def test_a_fetch_the_recording_has_no_answer_for_is_where_replay_stops() -> None:
    rich = recorded("RICH", NO_INPUT, {"lookup": [ok({"balance": 500})]})
    # Asked another way: the recorded answer was to another question.
    posted = replay(rich, graph("      save: account", "      method: POST\n      save: account"))
    assert (posted.kind, posted.state) == ("not-replayable", "lookup")
    answered = "the recording answered GET in lookup"
    assert posted.detail == f"the flow now fetches POST in lookup; {answered}"
    # A new fetch on the way: the path differs first, so the call is changed there.
    offers = graph(
        "      - next: menu\n",
        '      - next: offers\n\n  offers:\n    fetch: {url: "{{ settings.bank }}/offers"}\n'
        "    next: menu\n",
    )
    added = replay(rich, offers)
    assert (added.kind, added.state) == ("changed", "check")
    assert "offers" in added.detail
    # Recorded before answers were kept (an older release): never guessed.
    old = [Step(**{**_fields(s), "fetches": None}) for s in rich]
    before = replay(old, graph())
    assert (before.kind, before.state) == ("not-replayable", "lookup")
    assert "recorded before flowengine kept fetch answers" in before.detail


def test_an_answer_too_large_to_keep_is_not_replayed() -> None:
    big = {"balance": 50, "history": "x" * fetches.KEPT_BYTES}
    steps = recorded("BIG", NO_INPUT, {"lookup": [ok(big)]})
    (kept,) = steps[0].fetches or ()
    assert kept["kept"] == "too-large" and "data" not in kept
    outcome = replay(steps, graph())
    assert (outcome.kind, outcome.state) == ("not-replayable", "lookup")
    assert "over 16 KiB" in outcome.detail


def _fields(step: Step) -> dict[str, object]:
    return {name: getattr(step, name) for name in Step.__slots__}
