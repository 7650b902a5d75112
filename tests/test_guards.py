"""Safety guards on the webhook path, each through the real routes with signed requests.

Every test here fails when its guard is taken out (each was checked that way once).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from flowengine.flow.compiler import load_flow
from flowengine.runtime import Event, step
from flowengine.runtime.interpreter import MAX_PATH
from flowengine.runtime.variables import MAX_VALUE_LENGTH
from flowengine.server.webhook import MAX_FIELDS
from tests.conftest import ACME, CALLER, EXAMPLE_FLOWS, TESTSERVER, Web, sign


def test_a_signed_request_with_too_many_fields_is_refused(web: Web) -> None:
    call = web.caller()
    params = {**call.params, **{f"X{i}": "1" for i in range(MAX_FIELDS)}}
    url = TESTSERVER + "/voice/main"
    response = web.client.post(
        url,
        content=urlencode(params),
        headers={
            "X-Twilio-Signature": sign(url, params),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 400
    assert web.session(call.sid) is None


def test_a_long_value_is_cut_before_it_reaches_the_session(web: Web) -> None:
    call = web.caller()
    call.post("/voice/main", CallerName="A" * (MAX_VALUE_LENGTH * 5))
    session = web.session(call.sid)
    assert session is not None
    assert session.call["caller_name"] == "A" * MAX_VALUE_LENGTH


def test_the_states_a_call_remembers_are_bounded() -> None:
    graph = load_flow(str(EXAMPLE_FLOWS / "main.yaml"), environ={})
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    base = {"CallSid": "CA1", "From": CALLER, "To": ACME}
    session = step(graph, None, Event("call", base), now).session
    session = step(graph, session, Event("gather", base | {"Digits": "1"}, "welcome"), now).session
    for _ in range(MAX_PATH + 50):  # "*" says the menu again: one more state each time
        session = step(graph, session, Event("gather", base | {"Digits": "*"}, "menu"), now).session
    assert session.state == "menu"
    assert len(session.path) == MAX_PATH


def test_an_answer_does_not_linger_into_the_next_webhook(web: Web) -> None:
    call = web.caller()
    doc = call.dial("main")
    doc = call.reply(doc, Digits="1")  # English
    doc = call.reply(doc, Digits="1")  # sales: dials
    session = web.session(call.sid)
    assert session is not None and session.call["digits"] == "1"
    call.reply(doc, DialCallStatus="busy")  # no Digits in this webhook
    session = web.session(call.sid)
    assert session is not None and session.state == "voicemail"
    assert "digits" not in session.call


def test_caller_input_cannot_forge_a_log_line(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flowengine")
    forged = "CAforged\nroute=voice status=200 outcome=ok"
    response = web.twilio.post("/voice/main", {"CallSid": forged, "From": CALLER, "To": ACME})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if "CAforged" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    assert all("\n" not in line for line in lines)
    assert 'call="CAforged\\nroute=voice status=200 outcome=ok"' in lines[0]


def test_a_signature_over_the_url_with_its_default_port_is_accepted(web: Web) -> None:
    # Twilio signs some URLs with the port (http://host:80/...), and posts to them without.
    call = web.caller()
    signed = sign("http://testserver:80/voice/main", call.params)
    response = web.client.post(
        TESTSERVER + "/voice/main", data=call.params, headers={"X-Twilio-Signature": signed}
    )
    assert response.status_code == 200 and "<Gather" in response.text
    wrong = sign("http://testserver:8080/voice/main", call.params)
    response = web.client.post(
        TESTSERVER + "/voice/main", data=call.params, headers={"X-Twilio-Signature": wrong}
    )
    assert response.status_code == 403


def test_the_route_not_a_posted_field_decides_the_session_key(web: Web) -> None:
    call = web.caller()
    call.dial("main")
    before = web.session(call.sid)
    assert before is not None and before.flow == "main"
    # A text that carries the CallSid of a live call must not touch that call's session.
    text = {"MessageSid": "SM" + "1" * 32, "From": CALLER, "To": ACME, "Body": "hours"}
    response = web.twilio.post("/sms/autoreply", {**text, "CallSid": call.sid})
    assert response.status_code == 200 and "<Message>" in response.text
    assert web.session(call.sid) == before
    conversation = web.session(f"sms:autoreply:{CALLER}:{ACME}")
    assert conversation is not None and conversation.flow == "autoreply"


def test_a_status_callback_for_a_version_that_is_gone_ends_the_call(web: Web) -> None:
    call = web.caller()
    call.dial("main")
    session = web.session(call.sid)
    assert session is not None
    session.version = "0" * 12  # a version no process has, nor the store a source of
    assert web.client.portal.call(web.app.state.store.save, session)  # type: ignore[union-attr]
    response = web.twilio.post("/status", {**call.params, "CallStatus": "busy"})
    assert response.status_code == 200 and "<Response></Response>" in response.text
    session = web.session(call.sid)
    assert session is not None
    assert session.ended and session.outcome == "busy"
