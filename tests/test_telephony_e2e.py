"""Whisper, whole-call recording, media streams, a voice bot and a split, end to end:
signed webhooks to `flowengine serve` on a real uvicorn, TwiML checked against Twilio's
documented verbs and attributes (the shared reference and twiml-enums.json)."""

from __future__ import annotations

import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import CALLER, ROOT, Caller, ServerProcess, Twilio, said, stored

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "telephony"
ENUMS = json.loads((ROOT / "flowengine" / "data" / "twiml-enums.json").read_text())
# Attributes Twilio documents for the nouns these features write.
DOCUMENTED = {
    "Recording": {
        "channels",
        "track",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
    },
    "Stream": {"url", "name", "track", "statusCallback", "statusCallbackMethod"},
    "Parameter": {"name", "value"},
    "Number": {"url", "method", "sendDigits", "statusCallback", "statusCallbackEvent"},
    "Connect": {"action", "method"},
    "ConversationRelay": {
        "url",
        "welcomeGreeting",
        "voice",
        "language",
        "ttsProvider",
        "transcriptionProvider",
        "interruptible",
        "dtmfDetection",
    },
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"


@pytest.fixture
def server(start_server: Start, tmp_path: Path, db: Path) -> ServerProcess:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURES, flows)
    return start_server(flows, f"sqlite:///{db}")


def documented(doc: ET.Element) -> None:
    for element in doc.iter():
        allowed = DOCUMENTED.get(element.tag)
        if allowed is not None:
            assert set(element.attrib) <= allowed, (element.tag, element.attrib)
        if element.tag == "Say" and "voice" in element.attrib:
            assert element.attrib["voice"] in ENUMS["SayVoice"]


def test_the_call_records_streams_splits_and_dials_with_screening(
    server: ServerProcess, http: httpx.Client, db: Path
) -> None:
    call = Caller(Twilio(http, server.base))
    doc = call.dial("media")
    documented(doc)
    assert [e.tag for e in doc][:3] == ["Start", "Start", "Say"]
    recording = doc.find("Start/Recording")
    assert recording is not None
    assert recording.attrib["recordingStatusCallback"] == "/recording/media"
    assert recording.attrib["channels"] == "dual"
    stream = doc.find("Start/Stream")
    assert stream is not None and stream.attrib["url"] == "wss://analytics.example.com/fork"
    assert stream.attrib["track"] == "both_tracks"
    parameter = stream.find("Parameter")
    assert parameter is not None and parameter.attrib == {"name": "caller", "value": CALLER}
    number = doc.find("Dial/Number")
    assert number is not None and number.attrib["url"] == "/voice/screen"
    greeting = [e for e in doc.iter("Say")][1]
    if greeting.text == "Hello there!":  # voice: default -> Twilio's own voice
        assert "voice" not in greeting.attrib
    else:
        assert greeting.attrib["voice"] == "Polly.Joanna"
    # The same call asking again takes the same branch of the split.
    assert said(call.dial("media")) == said(doc)

    # The agent lets it ring out (or declines): the dial's other results go to the bot.
    bot = call.reply(doc, DialCallStatus="no-answer")
    documented(bot)
    relay = bot.find("Connect/ConversationRelay")
    assert relay is not None and relay.attrib["url"] == "wss://bot.example.com/relay"
    assert relay.attrib["welcomeGreeting"] == "How can I help?"
    connect = bot.find("Connect")
    assert connect is not None and connect.attrib["action"] == "/voice/media/bot/connect"
    failed = call.post(connect.attrib["action"], SessionStatus="failed")
    assert said(failed) == "Sorry, the assistant is not available."

    # Twilio reports the whole-call recording: the server keeps it on the call.
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"
    answer = call.post(
        "/recording/media", RecordingUrl=url, RecordingSid="RE1", RecordingStatus="completed"
    )
    assert list(answer) == []
    session = stored(db, call.sid)
    assert session is not None
    assert session.call["call_recording_url"] == url
    assert session.call["call_recording_status"] == "completed"


def test_both_split_branches_are_taken_across_calls(
    server: ServerProcess, http: httpx.Client
) -> None:
    heard = {
        said(Caller(Twilio(http, server.base)).dial("media")).split(". ")[1] for _ in range(30)
    }
    assert heard == {"Hello there!", "Thank you for calling."}


@pytest.mark.parametrize(
    ("digits", "accepted"), [("1", True), ("", False)], ids=["accept", "decline"]
)
def test_the_whisper_flow_runs_on_the_agents_leg(
    server: ServerProcess, http: httpx.Client, digits: str, accepted: bool
) -> None:
    agent = Caller(Twilio(http, server.base), caller=CALLER)
    agent.params |= {"ParentCallSid": "CA" + uuid.uuid4().hex, "Direction": "outbound-dial"}
    ask = agent.dial("screen")
    documented(ask)
    assert said(ask) == f"A call from {CALLER}. Press 1 to accept."
    after = agent.reply(ask, Digits=digits)
    if accepted:  # the document runs out: Twilio joins the two calls
        assert [e.tag for e in after] == ["Say"] and said(after) == "Connecting."
    else:  # hanging up the agent's leg: the caller's dial ends with no-answer
        assert [e.tag for e in after] == ["Hangup"]
