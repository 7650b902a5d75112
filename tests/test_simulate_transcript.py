"""What the caller hears, read from TwiML; coverage of a call's steps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowengine.flow.compiler import compile_source, load_flow
from flowengine.flow.graph import Edge
from flowengine.scenarios.coverage import Coverage
from flowengine.sim.caller_input import Action, InputError, parse, parse_time, split_inputs
from flowengine.sim.flows import Flows
from flowengine.sim.simulate import Call
from flowengine.sim.transcript import Handover, Wait, read
from tests.conftest import EXAMPLE_FLOWS

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
OPEN = '<?xml version="1.0" encoding="UTF-8"?><Response>'


def test_read_verbs() -> None:
    reply = read(
        OPEN + '<Say voice="alice">Hi &amp; <emphasis>welcome</emphasis></Say>'
        '<Pause length="2"/><Play loop="3">https://x/a.mp3</Play>'
        '<Dial action="/voice/f/s/dial"><Number>+15551230001</Number><Client>desk</Client>'
        "<Sip>sip:a@b</Sip><Conference>room</Conference><Queue>q</Queue></Dial></Response>"
    )
    assert reply.lines == [
        "Say [alice]: Hi & welcome",
        "Pause: 2 s",
        "Play: https://x/a.mp3 (x3)",
        "Dial: +15551230001, client:desk, sip:a@b, conference:room, queue:q",
    ]
    assert reply.dialled == ["+15551230001", "client:desk", "sip:a@b", "conference:room", "queue:q"]
    assert reply.wait == Wait("dial", "f", "s")


def test_read_gather_and_endings() -> None:
    reply = read(OPEN + '<Gather action="/p/voice/f/menu/gather" numDigits="2"/></Response>')
    assert reply.lines == ["Gather: waiting for keys (2 keys)"]
    assert reply.wait == Wait("gather", "f", "menu", ("keys",), 2, "#")
    assert read(OPEN + '<Reject reason="busy"/></Response>').ending == "reject"
    assert read(OPEN + "<Leave/></Response>").lines == ["Leave"]
    message = read(OPEN + "<Message><Body>Hi</Body><Media>https://m</Media></Message></Response>")
    assert message.lines == ["Reply: Hi", "Media: https://m"]


@pytest.mark.parametrize(
    ("url", "handover"),
    [
        ("/voice/support", Handover("/voice/support", "support", None)),
        (
            "/voice/main?state=voicemail",
            Handover("/voice/main?state=voicemail", "main", "voicemail"),
        ),
        ("https://example.com/ivr", Handover("https://example.com/ivr")),
        ("/elsewhere", Handover("/elsewhere")),
    ],
    ids=["flow", "flow-state", "outside", "relative"],
)
def test_read_redirects(url: str, handover: Handover) -> None:
    assert read(f"{OPEN}<Redirect>{url}</Redirect></Response>").redirect == handover


GATHER = Wait("gather", "f", "s", ("keys", "speech"))


@pytest.mark.parametrize(
    ("text", "wait", "action"),
    [
        ("12#", GATHER, Action("keys", "12#")),
        ("", GATHER, Action("silence")),
        ("silence", GATHER, Action("silence")),
        ("speech:Sales please", GATHER, Action("speech", "Sales please")),
        ("say  help", GATHER, Action("speech", "help")),
        ("press:5", GATHER, Action("keys", "5")),
        ("Q", GATHER, Action("hangup")),
        ("dial:busy", Wait("dial", "f", "s"), Action("outcome", "busy")),
        ("no-answer", Wait("dial", "f", "s"), Action("outcome", "no-answer")),
        ("", Wait("record", "f", "s"), Action("outcome", "recorded")),
        ("queue:queue-full", Wait("enqueue", "f", "s"), Action("outcome", "queue-full")),
        ("text:hours", Wait("sms", "f", ""), Action("text", "hours")),
        ("where are you", Wait("sms", "f", ""), Action("text", "where are you")),
    ],
)
def test_parse_inputs(text: str, wait: Wait, action: Action) -> None:
    assert parse(text, wait, terminal=True) == action


def test_parse_after_the_end() -> None:
    with pytest.raises(InputError, match="came after the call ended"):
        parse("1", None)


def test_split_inputs_keeps_quoted_commas() -> None:
    assert split_inputs('1, silence,"text:hi, you",dial:busy') == [
        "1",
        "silence",
        "text:hi, you",
        "dial:busy",
    ]


def test_parse_time_forms() -> None:
    assert parse_time("2026-03-02T10:00 America/New_York") == parse_time("2026-03-02T15:00Z")
    assert parse_time("2026-03-02T10:00-05:00").utcoffset() is not None
    with pytest.raises(ValueError, match="not both"):
        parse_time("2026-03-02T10:00Z America/New_York")


KEYS_ONLY = """
start: menu
states:
  menu:
    gather: {digits: 1, say: Press 1.}
    on: {"1": bye}
  bye:
    say: Bye.
    hangup: true
"""


def test_speech_to_a_keys_only_menu_is_silence(tmp_path: Path) -> None:
    graph = compile_source(KEYS_ONLY, str(tmp_path / "keys.yaml"))
    call = Call(graph, Flows(tmp_path), NOW)
    call.begin()
    turn = call.answer(Action("speech", "one"))
    assert turn.lines[0] == "(this menu does not listen for speech: Twilio hears nothing)"
    assert turn.runs[0].result.trace == [("menu", "no-input", "menu")]


def test_coverage_counts_edges_not_retries() -> None:
    graph = load_flow(str(EXAMPLE_FLOWS / "main.yaml"))
    call = Call(graph, Flows(EXAMPLE_FLOWS), NOW)
    coverage = Coverage()
    for turn in (
        call.begin(),
        call.answer(Action("keys", "1")),
        call.answer(Action("silence")),
    ):
        for run in turn.runs:
            coverage.record(run)
    main = coverage.include(graph)
    assert main.edges == {
        Edge("screen", "welcome", "otherwise"),
        Edge("welcome", "open_check", "1, english"),
        Edge("open_check", "menu", "open office"),
    }
    assert main.states == {"screen", "welcome", "open_check", "menu"}
    assert main.edge_percent == 15.0
    assert main.percent == 15.0
    assert [e.label for e in main.missed_edges][:2] == [
        "call.from one of [+15550000666, +15550000667]",
        "9, français, french",
    ]


@pytest.mark.parametrize(
    ("keys", "heard", "label"),
    [
        ("12", "1", "1, english"),
        ("1#", "1", "1, english"),
        ("#", "", "no-input"),
        ("9", None, "9, français, french"),
    ],
    ids=["num-digits", "finish-key", "finish-key-alone", "plain"],
)
def test_keys_as_twilio_hears_them(keys: str, heard: str | None, label: str) -> None:
    graph = load_flow(str(EXAMPLE_FLOWS / "main.yaml"))
    call = Call(graph, Flows(EXAMPLE_FLOWS), NOW)
    call.begin()
    turn = call.answer(Action("keys", keys))
    note = f"(Twilio hears the keys '{heard}')"
    assert (turn.lines[0] == note) is (heard is not None)
    assert turn.runs[0].result.trace[0] == ("welcome", label, "open_check")
