"""Golden TwiML for each path through each example flow.

Each path is a list of webhook events; the golden file records, for every step, the
event, the TwiML answered, the edges taken and the texts sent. Regenerate after an
intended change with FLOWENGINE_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import Graph
from flowengine.runtime.interpreter import Event, step
from flowengine.runtime.session import CallSession
from tests.conftest import EXAMPLE_FLOWS, UPDATE_GOLDEN

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "twiml"
OPEN = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday noon in New York
CLOSED = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Sunday
CALLER = {
    "CallSid": "CA0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+15551112222",
    "To": "+15553334444",
    "CallStatus": "in-progress",
    "Direction": "inbound",
}
# (kind, state, params): kind "call" enters the flow; others are callbacks for `state`.
Step = tuple[str, str | None, dict[str, str]]


def call(**params: str) -> Step:
    return ("call", None, params)


def gather(state: str, digits: str = "", speech: str = "") -> Step:
    params = {"Digits": digits} if digits else {}
    if speech:
        params["SpeechResult"] = speech
    return ("gather", state, params)


def dial(state: str, status: str) -> Step:
    return ("dial", state, {"DialCallStatus": status})


def record(state: str, url: str = "https://api.twilio.com/rec/RE1", seconds: str = "14") -> Step:
    return ("record", state, {"RecordingUrl": url, "RecordingDuration": seconds})


def enqueue(state: str, result: str) -> Step:
    return ("enqueue", state, {"QueueResult": result})


def text(body: str) -> Step:
    return ("sms", None, {"Body": body})


PATHS: dict[str, dict[str, tuple[datetime, list[Step]]]] = {
    "main": {
        "blocked-caller": (OPEN, [call(From="+15550000666")]),
        "english-sales-answered": (
            OPEN,
            [call(), gather("welcome", "1"), gather("menu", "1"), dial("sales", "completed")],
        ),
        "french-sales-busy-voicemail": (
            OPEN,
            [
                call(),
                gather("welcome", "9"),
                gather("menu", "1"),
                dial("sales", "busy"),
                record("voicemail"),
            ],
        ),
        "speech-choices": (
            OPEN,
            [
                call(),
                gather("welcome", speech="English, please."),
                gather("menu", speech="I need some help"),
            ],
        ),
        "menu-retries-then-goodbye": (
            OPEN,
            [
                call(),
                gather("welcome"),
                gather("menu"),
                gather("menu", "7"),
                gather("menu", "*"),
                gather("menu"),
                gather("menu"),
                gather("menu"),
            ],
        ),
        "after-hours-empty-voicemail": (
            CLOSED,
            [call(), gather("welcome", "1"), record("voicemail", url="", seconds="0")],
        ),
        "front-desk-no-answer": (
            OPEN,
            [call(), gather("welcome", "1"), gather("menu", "0"), dial("front_desk", "no-answer")],
        ),
        "support-hand-over": (OPEN, [call(), gather("welcome", "1"), gather("menu", "2")]),
    },
    "support": {
        "queue-bridged": (OPEN, [call(), gather("triage", "1"), enqueue("queue", "bridged")]),
        "queue-leave-to-voicemail": (
            OPEN,
            [call(), gather("triage", speech="Agent."), enqueue("queue", "leave")],
        ),
        "conference-bridge": (OPEN, [call(), gather("triage", "2"), dial("bridge", "completed")]),
        "urgent-busy": (OPEN, [call(), gather("triage", "3"), dial("urgent", "busy")]),
        "legacy-system": (OPEN, [call(), gather("triage", "4")]),
        "retries-then-queue": (
            OPEN,
            [call(), gather("triage"), gather("triage", "9"), gather("triage")],
        ),
    },
    "hold": {
        "music": (OPEN, [call(QueueTime="30", QueuePosition="2")]),
        "give-up": (OPEN, [call(QueueTime="900", QueuePosition="1")]),
    },
    "agent": {
        "agent-takes-callers": (
            OPEN,
            [call(From="+15557770001"), dial("connect", "completed"), dial("connect", "failed")],
        ),
        "stranger-refused": (OPEN, [call(From="+15550001234")]),
    },
    "autoreply": {
        "hours-then-address": (OPEN, [text("HOURS?"), text("where are you"), text("call me")]),
        "unknown-then-help": (OPEN, [text("hello"), text("what's your address")]),
    },
}
CASES = [(flow, name) for flow, paths in PATHS.items() for name in paths]


def walk(graph: Graph, moment: datetime, steps: list[Step]) -> str:
    session: CallSession | None = None
    lines = []
    for kind, state, params in steps:
        posted = {**CALLER, **params}
        result = step(graph, session, Event(kind, posted, state), moment)
        ET.fromstring(result.twiml)  # every answer must be well-formed XML
        session = result.session
        shown = {k: v for k, v in params.items()}
        lines.append(f"### {kind} {state or '-'} {json.dumps(shown, ensure_ascii=False)}")
        lines.append(result.twiml)
        lines.extend(f"edge: {a} --[{label}]--> {b}" for a, label, b in result.trace)
        lines.extend(f"sms: to={m.to} from={m.from_} body={m.body}" for m in result.messages)
    assert session is not None
    lines.append(f"### end state={session.state} ended={session.ended} outcome={session.outcome}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("flow", "name"), CASES, ids=[f"{f}/{n}" for f, n in CASES])
def test_golden_twiml(flow: str, name: str) -> None:
    graph = load_flow(str(EXAMPLE_FLOWS / f"{flow}.yaml"), environ={})
    moment, steps = PATHS[flow][name]
    actual = walk(graph, moment, steps)
    golden = GOLDEN / flow / f"{name}.txt"
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with FLOWENGINE_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


def test_every_state_of_every_example_flow_is_on_a_golden_path() -> None:
    for flow, paths in PATHS.items():
        graph = load_flow(str(EXAMPLE_FLOWS / f"{flow}.yaml"), environ={})
        visited: set[str] = set()
        for moment, steps in paths.values():
            session: CallSession | None = None
            for kind, state, params in steps:
                result = step(graph, session, Event(kind, {**CALLER, **params}, state), moment)
                session = result.session
                visited.update(result.session.path)
        assert visited == set(graph.states), (
            f"{flow}: no golden path visits {set(graph.states) - visited}"
        )
