"""Whole calls through every example flow, against `flowengine serve` on a real uvicorn.

Each request is signed exactly as Twilio signs it; sessions live in a real SQLite file,
which the test opens too to check what the server stored.
"""

# The twilio_api fixture comes from conftest; ruff sees the parameter as a redefinition.

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    ACME,
    AFTER_HOURS,
    CALLER,
    Caller,
    ServerProcess,
    Twilio,
    said,
    stored,
)
from tests.twilio_fake import Recorded, TwilioFake

Start = Callable[..., ServerProcess]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"


def test_blocklisted_caller_is_rejected(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}")
    doc = Caller(Twilio(http, server.base), caller="+15550000666").dial("main")
    reject = doc.find("Reject")
    assert reject is not None and reject.attrib["reason"] == "busy"
    assert [e.tag for e in doc] == ["Reject"]


def test_main_sales_busy_voicemail_text_goodbye(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    answer = twilio_api.answer

    def slow_answer(recorded: Recorded) -> object:
        time.sleep(1.5)  # a slow API must not add to the caller's silence
        return answer(recorded)

    twilio_api.answer = slow_answer  # type: ignore[method-assign]
    server = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, server.base))
    doc = call.dial("main")
    assert said(doc).startswith("Thank you for calling Acme.")
    doc = call.reply(doc, SpeechResult="English, please.", Confidence="0.9")
    assert said(doc).startswith("For sales, press 1")
    doc = call.reply(doc, Digits="")  # silence: first no-input prompt, menu again
    assert said(doc).startswith("Sorry, I did not hear anything. For sales")
    doc = call.reply(doc, Digits="7")
    assert said(doc).startswith("Sorry, that is not an option. For sales")
    doc = call.reply(doc, Digits="1")
    assert said(doc) == "Connecting you to sales."
    numbers = [n.text for n in doc.iter("Number")]
    assert numbers == ["+15551230001", "+15551230002"]
    doc = call.reply(doc, DialCallStatus="busy")
    assert said(doc) == "Please leave a message after the beep."
    started = time.monotonic()
    doc = call.reply(doc, RecordingUrl="https://api.twilio.com/RE1", RecordingDuration="12")
    assert time.monotonic() - started < 1.0, "the text was sent before the TwiML went out"
    assert said(doc) == "Thank you. We will call you back soon. Goodbye."
    assert doc.find("Hangup") is not None

    deadline = time.monotonic() + 10
    session = stored(db, call.sid)
    while session is not None and "texts_sent" not in session.vars and time.monotonic() < deadline:
        time.sleep(0.1)
        session = stored(db, call.sid)
    assert session is not None
    (sent,) = twilio_api.requests
    assert (sent.field("To"), sent.field("From")) == (CALLER, ACME)
    assert "call you back on +15551234567" in sent.field("Body")
    assert session.vars["texts_sent"] == [{"to": CALLER, "sid": twilio_api.responses[0]["sid"]}]
    assert session.ended and session.outcome == "hangup"
    assert session.path == [
        "screen",
        "welcome",
        "open_check",
        "menu",
        "sales",
        "voicemail",
        "thanks",
        "goodbye",
    ]
    log = server.log.read_text()
    assert "+*******4567" in log and "event=text" in log and "outcome=sent" in log
    assert CALLER not in log  # caller numbers are masked at info level
    assert twilio_api.credentials and "fake-auth-token" not in log


def test_french_caller_after_hours_and_status(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}", now=AFTER_HOURS)
    call = Caller(Twilio(http, server.base))
    doc = call.reply(call.dial("main"), Digits="9")
    assert said(doc).startswith("Nos bureaux sont fermés.")
    assert said(doc).endswith("Laissez un message après le bip.")
    response = call.twilio.post("/status", {**call.params, "CallStatus": "completed"})
    assert response.status_code == 200
    session = stored(db, call.sid)
    assert session is not None and session.ended and session.outcome == "completed"
    assert session.vars["language"] == "fr"


def test_menu_retries_run_out_then_goodbye(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, server.base))
    doc = call.reply(call.dial("main"), Digits="1")
    doc = call.reply(doc)
    doc = call.reply(doc)
    assert said(doc).startswith("Please press a key now.")
    doc = call.reply(doc)
    assert said(doc) == "Goodbye." and doc.find("Hangup") is not None


def test_hand_over_main_to_support_queue_and_back_to_main_voicemail(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, server.base))
    doc = call.reply(call.dial("main"), Digits="1")
    doc = call.reply(doc, SpeechResult="Support.")
    assert said(doc) == "One moment, please."
    doc = call.follow(doc)  # <Redirect>/voice/support</Redirect>
    assert said(doc).startswith("Support. To wait for the next agent")
    doc = call.reply(doc, Digits="1")
    enqueue = doc.find("Enqueue")
    assert enqueue is not None and enqueue.text == "support"
    # While the caller waits, Twilio fetches the wait flow again and again.
    music = call.post(enqueue.attrib["waitUrl"], QueuePosition="2", QueueTime="45")
    assert said(music) == "You are number 2 in line. Thank you for waiting."
    give_up = call.post(enqueue.attrib["waitUrl"], QueuePosition="2", QueueTime="601")
    assert give_up.find("Leave") is not None
    doc = call.reply(doc, QueueResult="leave", QueueTime="601")
    assert doc.find("Redirect") is not None
    doc = call.follow(doc)  # /voice/main?state=voicemail
    assert said(doc) == "Please leave a message after the beep."
    session = stored(db, call.sid)
    assert session is not None and (session.flow, session.state) == ("main", "voicemail")
    assert session.vars["language"] == "en"  # what the caller chose in main survived
    assert "triage" in session.path and "queue" in session.path


def test_agent_takes_the_next_caller(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}")
    agent = Caller(Twilio(http, server.base), caller="+15557770001")
    doc = agent.dial("agent")
    queue = doc.find("Dial/Queue")
    assert queue is not None and queue.text == "support"
    doc = agent.reply(doc, DialCallStatus="no-answer")
    assert said(doc) == "The queue is empty. Goodbye."
    stranger = Caller(Twilio(http, server.base)).dial("agent")
    assert stranger.find("Reject") is not None


def test_autoreply_text_conversation(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}")
    twilio = Twilio(http, server.base)

    def text(body: str) -> str:
        params = {"MessageSid": "SM" + "2" * 32, "From": CALLER, "To": ACME, "Body": body}
        response = twilio.post("/sms/autoreply", params)
        assert response.status_code == 200
        import xml.etree.ElementTree as ET

        message = ET.fromstring(response.content).find("Message")
        assert message is not None
        return "".join(message.itertext())

    assert text("Hi").startswith("Acme: text HOURS")
    assert text("Where are you?").startswith("Find us at 12 Harbour Street")
    assert text("CALL ME").startswith("Thanks! Someone will call you back on +15551234567")
    session = stored(db, f"sms:autoreply:{CALLER}:{ACME}")
    assert session is not None and session.vars == {"callback_requested": "yes"}
    assert session.ended


def test_restart_in_the_middle_of_a_call(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    first = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, first.base))
    doc = call.reply(call.dial("main"), Digits="9")
    first.stop()
    second = start_server(flows_dir, f"sqlite:///{db}")
    call.twilio = Twilio(http, second.base)
    doc = call.reply(doc, Digits="1")
    assert said(doc) == "Je vous passe le service des ventes."
    doc = call.reply(doc, DialCallStatus="completed")
    assert said(doc) == "Au revoir."


def test_several_worker_processes_share_the_sqlite_file(
    start_server: Start, flows_dir: Path, db: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, f"sqlite:///{db}", extra=("--workers", "2"))
    for _ in range(3):
        call = Caller(Twilio(http, server.base))
        doc = call.dial("support")
        doc = call.reply(doc, Digits="1")
        enqueue = doc.find("Enqueue")
        assert enqueue is not None and enqueue.attrib["waitUrl"] == "/wait/hold"
    deadline = time.monotonic() + 10
    while server.log.read_text().count("serving flows") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.log.read_text().count("serving flows") == 2
