"""Sessions through the routes: compare-and-set, status, texts, wait, sms, versions, health."""

# The twilio_api fixture comes from conftest; ruff sees the parameter as a redefinition.

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from flowengine.runtime.session import CallSession
from flowengine.server import ServerConfig, create_app
from flowengine.server.stores.sqlite import SqliteSessionStore
from flowengine.server.watch import reload_paths
from tests.conftest import ACME, CALLER, OPEN_HOURS, TOKEN, Caller, Web, said
from tests.twilio_fake import TwilioFake


def walk_to_voicemail(web: Web) -> tuple[Caller, ET.Element]:
    call = web.caller()
    doc = call.dial("main")
    doc = call.reply(doc, Digits="1")  # English
    doc = call.reply(doc, Digits="1")  # sales
    doc = call.reply(doc, DialCallStatus="busy")
    assert doc.find("Record") is not None
    return call, doc


# --- compare-and-set -------------------------------------------------------------------------


class RacingStore(SqliteSessionStore):
    """A real SQLite store where another request saves first, once, just before our save."""

    raced = False

    async def save(self, session: CallSession) -> bool:
        if not self.raced and session.rev > 0:
            self.raced = True
            other = await self.load(session.key)
            assert other is not None
            other.vars["from_the_other_request"] = "kept"
            assert await super().save(other)
        return await super().save(session)


def test_concurrent_update_is_not_lost(flows_dir: Path, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from tests.conftest import Caller, Twilio

    store = RacingStore(tmp_path / "race.db")
    config = ServerConfig(
        flows_dir=str(flows_dir), auth_token=TOKEN, clock=lambda: OPEN_HOURS, reload=False
    )
    with TestClient(create_app(config, store=store)) as client:
        call = Caller(Twilio(client, "http://testserver"))
        doc = call.dial("main")
        doc = call.reply(doc, Digits="9")  # French; this save loses the race and is retried
        assert "Pour les ventes" in said(doc)
        session = client.portal.call(store.load, call.sid)
    assert store.raced
    assert session is not None
    assert session.vars == {"from_the_other_request": "kept", "language": "fr"}
    assert session.state == "menu"


# --- status, wait, sms ------------------------------------------------------------------------


def test_status_callback_ends_the_session_and_records_the_outcome(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="flowengine")
    call = web.caller()
    call.dial("main")
    response = web.twilio.post(
        "/status", {**call.params, "CallStatus": "completed", "CallDuration": "42"}
    )
    assert response.status_code == 200 and "<Response></Response>" in response.text
    session = web.session(call.sid)
    assert session is not None
    assert session.ended and session.outcome == "completed"
    assert session.state == "welcome"  # where the caller hung up
    assert session.call["duration"] == "42"
    line = caplog.records[-1].getMessage()
    assert "event=status" in line and "outcome=recorded" in line and f"call={call.sid}" in line


def test_status_for_an_unknown_call_is_still_200(web: Web) -> None:
    response = web.twilio.post("/status", {"CallSid": "CAgone", "CallStatus": "completed"})
    assert response.status_code == 200
    assert web.session("CAgone") is None


def test_wait_flow_is_stateless(web: Web) -> None:
    call = web.caller()
    doc = call.post("/wait/hold", QueuePosition="3", QueueTime="30")
    assert said(doc) == "You are number 3 in line. Thank you for waiting."
    assert web.session(call.sid) is None
    doc = call.post("/wait/hold", QueuePosition="1", QueueTime="700")
    assert doc.find("Leave") is not None


def test_sms_conversation_keyed_by_flow_and_numbers(web: Web) -> None:
    def text(body: str, sender: str = CALLER) -> str:
        params = {"MessageSid": "SM" + "1" * 32, "From": sender, "To": ACME, "Body": body}
        response = web.twilio.post("/sms/autoreply", params)
        assert response.status_code == 200
        message = parse_message(response.text)
        return message

    assert text("hello").startswith("Acme: text HOURS")
    assert text("what are your opening times?").startswith("We are open")
    session = web.session(f"sms:autoreply:{CALLER}:{ACME}")
    assert session is not None and session.state == "menu_wait"
    assert text("hello", sender="+15557654321").startswith("Acme: text HOURS")
    assert text("address").startswith("Find us at")


def parse_message(body: str) -> str:
    root = ET.fromstring(body)
    message = root.find("Message")
    assert message is not None
    return "".join(message.itertext())


def test_sms_to_a_voice_flow_gets_an_empty_reply(web: Web) -> None:
    response = web.twilio.post("/sms/main", {"From": CALLER, "To": ACME, "Body": "hi"})
    assert response.status_code == 200 and "<Response></Response>" in response.text


# --- texts during a call (issue 6.3) ----------------------------------------------------------


def test_text_action_is_sent_and_recorded_in_the_session(
    web: Web, twilio_api: TwilioFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="flowengine")
    call, doc = walk_to_voicemail(web)
    doc = call.reply(doc, RecordingUrl="https://api.twilio.com/rec/RE1", RecordingDuration="7")
    assert "Thank you. We will call you back soon." in said(doc)
    (sent,) = twilio_api.requests
    assert sent.path.endswith("/Messages.json")
    assert sent.field("To") == CALLER and sent.field("From") == ACME
    assert sent.field("Body").startswith("Thanks for calling Acme.")
    session = web.session(call.sid)
    assert session is not None
    assert session.vars["texts_sent"] == [{"to": CALLER, "sid": twilio_api.responses[0]["sid"]}]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "event=text" in logged and "outcome=sent" in logged


def test_text_without_credentials_does_not_break_the_call(
    web: Web, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    call, doc = walk_to_voicemail(web)
    doc = call.reply(doc, RecordingUrl="https://api.twilio.com/rec/RE1", RecordingDuration="7")
    assert said(doc).endswith("Goodbye.")
    session = web.session(call.sid)
    assert session is not None and len(session.vars["texts_sent"]) == 1
    assert "TWILIO_ACCOUNT_SID" in session.vars["texts_sent"][0]["error"]
    assert any("outcome=failed" in r.getMessage() for r in caplog.records)


# --- versions and reload ----------------------------------------------------------------------


def test_call_stays_on_its_version_after_a_reload(web: Web, flows_dir: Path) -> None:
    old = web.caller()
    doc = old.dial("main")
    main = flows_dir / "main.yaml"
    main.write_text(main.read_text().replace("Connecting you to sales.", "Sales, right away."))
    registry, store = web.app.state.registry, web.app.state.store
    web.client.portal.call(reload_paths, registry, store, {str(main)})  # type: ignore[union-attr]
    doc = old.reply(doc, Digits="1")
    assert "Connecting you to sales." in said(old.reply(doc, Digits="1"))
    new = web.caller()
    doc = new.reply(new.dial("main"), Digits="1")
    assert "Sales, right away." in said(new.reply(doc, Digits="1"))
    versions = web.client.get("/healthz").json()["flows"]["main"]["versions"]
    assert len(versions) == 2


def test_failed_reload_keeps_the_live_version_and_shows_on_healthz(
    web: Web, flows_dir: Path
) -> None:
    before = web.client.get("/healthz").json()
    assert before["status"] == "ok" and before["failed"] == {}
    main = flows_dir / "main.yaml"
    main.write_text(main.read_text().replace("next: open_check", "next: open_chek", 1))
    registry, store = web.app.state.registry, web.app.state.store
    web.client.portal.call(reload_paths, registry, store, {str(main)})  # type: ignore[union-attr]
    health = web.client.get("/healthz").json()
    assert health["flows"]["main"]["version"] == before["flows"]["main"]["version"]
    # Still serving its last good version: a warning, not a reason to leave the rotation.
    assert health["status"] == "ok" and health["warnings"] == ["flow main failed to load"]
    (problem, *_) = health["failed"]["main"]["diagnostics"]
    assert "FE101" in problem and "open_chek" in problem
    assert web.caller().dial("main").find("Gather") is not None


def test_healthz_lists_flows_and_startup_failures(
    make_web: Callable[..., Web], flows_dir: Path
) -> None:
    (flows_dir / "broken.yaml").write_text("start: a\nstates:\n  a: {say: [unclosed\n")
    health = make_web().client.get("/healthz").json()
    assert set(health["flows"]) == {"main", "support", "hold", "agent", "autoreply", "balance"}
    assert health["flows"]["autoreply"]["channel"] == "sms"
    assert list(health["failed"]) == ["broken"]
    assert "FE001" in health["failed"]["broken"]["diagnostics"][0]
    assert health["store"] == {"backend": "sqlite", "ok": True}
