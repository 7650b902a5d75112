"""The call history end to end: `flowengine serve` on a real uvicorn, Twilio-signed calls
through the example flows, then the history as `flowengine calls` reads it."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flowengine.cli import main
from flowengine.history.record import CallRecord
from tests.conftest import ACME, CALLER, Caller, ServerProcess, Twilio, read_call, said

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "history"


def wait_for(url: str, sid: str, done: Callable[[CallRecord], bool]) -> CallRecord:
    """The writer batches every fraction of a second: poll until the record is there."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        call = read_call(url, sid)
        if call is not None and done(call):
            return call
        time.sleep(0.1)
    raise AssertionError(f"call {sid} not in the history as expected: {read_call(url, sid)}")


def hung_up(call: CallRecord) -> bool:
    return call.ended_how != ""


def test_calls_through_the_example_flows_have_their_exact_paths(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    history = f"sqlite:///{tmp_path}/history.db"
    server = start_server(
        flows_dir, f"sqlite:///{tmp_path}/sessions.db", extra=("--history", history)
    )
    twilio = Twilio(http, server.base)

    # main: sales is busy, voicemail, thanks, goodbye
    sales = Caller(twilio)
    doc = sales.reply(sales.dial("main"), SpeechResult="English, please.", Confidence="0.9")
    doc = sales.reply(doc, Digits="")
    doc = sales.reply(doc, Digits="7")
    doc = sales.reply(doc, Digits="1")
    doc = sales.reply(doc, DialCallStatus="busy", DialCallDuration="0")
    doc = sales.reply(doc, RecordingUrl="https://api.twilio.com/RE1", RecordingDuration="12")
    assert doc.find("Hangup") is not None
    twilio.post("/status", {**sales.params, "CallStatus": "completed", "CallDuration": "61"})
    twilio.post(
        "/transcription",
        {
            **sales.params,
            "RecordingUrl": "https://api.twilio.com/RE1",
            "TranscriptionStatus": "completed",
            "TranscriptionText": "Please call me back about my order.",
        },
    )

    # main -> support (queue) -> main voicemail, then the caller hangs up mid-recording
    support = Caller(twilio)
    doc = support.reply(support.dial("main"), Digits="1")
    doc = support.follow(support.reply(doc, SpeechResult="Support."))
    doc = support.reply(doc, Digits="1")
    doc = support.follow(support.reply(doc, QueueResult="leave", QueueTime="601"))
    assert said(doc) == "Please leave a message after the beep."
    twilio.post("/status", {**support.params, "CallStatus": "completed"})

    # agent: nobody waiting
    agent = Caller(twilio, caller="+15557770001")
    doc = agent.reply(agent.dial("agent"), DialCallStatus="no-answer")
    twilio.post("/status", {**agent.params, "CallStatus": "completed"})

    call = wait_for(history, sales.sid, lambda c: any(n.kind == "transcription" for n in c.notes))
    assert call.path == [
        "screen",
        "welcome",
        "open_check",
        "menu",
        "sales",
        "voicemail",
        "thanks",
        "goodbye",
    ]
    assert (call.flow, call.caller, call.called, call.direction) == (
        "main",
        CALLER,
        ACME,
        "inbound",
    )
    assert (call.outcome, call.ended_how) == ("hangup", "completed")
    assert [(s.event, s.state, s.input) for s in call.steps] == [
        ("call", "", ""),
        ("gather", "welcome", "speech:English, please."),
        ("gather", "menu", "silence"),
        ("gather", "menu", "keys:7"),
        ("gather", "menu", "keys:1"),
        ("dial", "sales", "dial:busy"),
        ("record", "voicemail", "record:recorded"),
    ]
    assert call.steps[2].trail == (("menu", "no-input", "menu"),)
    kinds = [e["kind"] for s in call.steps for e in s.events]
    assert kinds == ["dial", "recording", "text"]
    times = [s.at for s in call.steps]
    assert times == sorted(times) and call.ended_at is not None and call.ended_at >= times[-1]
    transcription = next(n for n in call.notes if n.kind == "transcription")
    assert transcription.data["text"] == "Please call me back about my order."

    handed = wait_for(history, support.sid, hung_up)
    assert handed.path == [
        "screen",
        "welcome",
        "open_check",
        "menu",
        "support",
        "triage",
        "queue",
        "voicemail",  # support's voicemail hands over to main's
        "voicemail",
    ]
    assert {s.flow for s in handed.steps} == {"main", "support"}
    assert handed.outcome == "caller-hung-up"

    assert wait_for(history, agent.sid, hung_up).path == ["check_agent", "connect", "empty"]

    # autoreply: a text conversation is kept under its conversation key
    for body in ("Hi", "CALL ME"):
        params = {"MessageSid": "SM" + "2" * 32, "From": CALLER, "To": ACME, "Body": body}
        assert twilio.post("/sms/autoreply", params).status_code == 200
    texts = wait_for(history, f"sms:autoreply:{CALLER}:{ACME}", lambda c: c.ended_at is not None)
    assert [s.input for s in texts.steps] == ["text:Hi", "text:CALL ME"]
    assert texts.direction == "sms" and texts.outcome != ""


def test_calls_command_lists_filters_and_shows_a_transcript(
    start_server: Start,
    flows_dir: Path,
    tmp_path: Path,
    http: httpx.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    history = f"sqlite:///{tmp_path}/history.db"
    store = f"sqlite:///{tmp_path}/sessions.db"
    server = start_server(flows_dir, store)  # the default history: beside the session store
    twilio = Twilio(http, server.base)
    call = Caller(twilio)
    doc = call.reply(call.dial("main"), Digits="1")
    doc = call.reply(doc, Digits="0")
    twilio.post("/status", {**call.params, "CallStatus": "completed"})
    other = Caller(twilio, caller="+15550002222")
    other.dial("main")
    twilio.post("/status", {**other.params, "CallStatus": "completed"})
    assert Path(f"{tmp_path}/sessions-history.db").exists()
    history = f"sqlite:///{tmp_path}/sessions-history.db"
    wait_for(history, call.sid, hung_up)
    wait_for(history, other.sid, hung_up)

    assert main(["calls", "--store", store, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["sid"] for c in listed] == [other.sid, call.sid]
    assert main(["calls", "--history", history, "--caller", CALLER, "--format", "json"]) == 0
    assert [c["sid"] for c in json.loads(capsys.readouterr().out)] == [call.sid]
    assert (
        main(["calls", "--history", history, "--outcome", "caller-hung-up", "--since", "1h"]) == 0
    )
    text = capsys.readouterr().out
    assert call.sid in text and other.sid in text and "screen > welcome" in text

    assert main(["calls", "--history", history, "show", call.sid]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == f"Call {call.sid} (inbound): {CALLER} calling {ACME}"
    assert "[main:welcome] keys, say <words>, Enter for silence, hangup> 1" in shown
    assert "[main:menu] keys, say <words>, Enter for silence, hangup> 0" in shown
    assert shown[-1].startswith("Call ended: ")

    assert main(["calls", "--history", history, "show", "CA-nope"]) == 1
    assert main(["calls", "--history", history, "--since", "yesterday-ish"]) == 2
    assert main(["calls", "--history", history, "purge", "--older-than", "1"]) == 0
    assert "removed 0 call(s)" in capsys.readouterr().out


def test_a_sensitive_gather_is_never_kept(
    start_server: Start, tmp_path: Path, http: httpx.Client
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(FIXTURES / "pin.yaml", flows / "pin.yaml")
    history = f"sqlite:///{tmp_path}/history.db"
    server = start_server(flows, f"sqlite:///{tmp_path}/sessions.db", extra=("--history", history))
    call = Caller(Twilio(http, server.base))
    doc = call.reply(call.dial("pin"), Digits="4821")
    assert said(doc) == "You typed 4821. Goodbye."  # the flow may say it; history may not keep it
    call.twilio.post("/status", {**call.params, "CallStatus": "completed"})
    record = wait_for(history, call.sid, hung_up)
    assert record.path == ["pin", "thanks", "goodbye"]
    assert record.steps[1].input == "hidden" and record.steps[1].twiml == ""
    database = (tmp_path / "history.db").read_bytes()
    wal = tmp_path / "history.db-wal"
    assert b"4821" not in database + (wal.read_bytes() if wal.exists() else b"")
