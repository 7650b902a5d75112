"""The webhook routes through Starlette's TestClient: signatures, sessions, fallbacks, health."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowengine.server import ServerConfig
from flowengine.server.config import DEFAULT_FALLBACK_SAY
from flowengine.server.stores import open_store
from tests.conftest import CALLER, TESTSERVER, Caller, Web, parse_twiml, said, sign

BASE = TESTSERVER
APOLOGY = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    f"<Say>{DEFAULT_FALLBACK_SAY}</Say><Hangup/></Response>"
)


# --- signatures -----------------------------------------------------------------------------


def test_signed_entry_answers_twiml_and_stores_the_session(web: Web) -> None:
    call = web.caller()
    doc = call.dial("main")
    gather = doc.find("Gather")
    assert gather is not None and gather.attrib["action"] == "/voice/main/welcome/gather"
    session = web.session(call.sid)
    assert session is not None and (session.flow, session.state) == ("main", "welcome")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, id="wrong"),
        pytest.param({"X-Twilio-Signature": ""}, id="empty"),
    ],
)
def test_unsigned_or_wrongly_signed_is_403_and_stores_nothing(
    web: Web, headers: dict[str, str]
) -> None:
    params = {"CallSid": "CAunsigned", "From": CALLER}
    response = web.client.post("/voice/main", data=params, headers=headers)
    assert response.status_code == 403
    assert web.session("CAunsigned") is None


def test_signature_over_other_params_or_url_is_403(web: Web) -> None:
    params = {"CallSid": "CAtampered", "From": CALLER}
    forged = sign(BASE + "/voice/main", {**params, "From": "+15550000000"})
    response = web.client.post("/voice/main", data=params, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403
    other_url = sign(BASE + "/voice/support", params)
    response = web.client.post(
        "/voice/main", data=params, headers={"X-Twilio-Signature": other_url}
    )
    assert response.status_code == 403
    assert web.session("CAtampered") is None


def test_public_url_is_what_signatures_are_checked_against(make_web: Callable[..., Web]) -> None:
    web = make_web(public_url="https://ivr.example.com/acme/")
    params = {"CallSid": "CApublic", "From": CALLER}
    local = web.client.post(
        "/voice/main",
        data=params,
        headers={"X-Twilio-Signature": sign(BASE + "/voice/main", params)},
    )
    assert local.status_code == 403
    public = sign("https://ivr.example.com/acme/voice/main", params)
    doc = parse_twiml(
        web.client.post("/voice/main", data=params, headers={"X-Twilio-Signature": public})
    )
    # The public URL's path is a prefix the proxy strips: callbacks must carry it.
    gather = doc.find("Gather")
    assert gather is not None and gather.attrib["action"] == "/acme/voice/main/welcome/gather"


def test_query_string_is_part_of_the_signed_url(web: Web) -> None:
    params = {"CallSid": "CAquery", "From": CALLER}
    without_query = sign(BASE + "/voice/main", params)
    response = web.client.post(
        "/voice/main?state=voicemail", data=params, headers={"X-Twilio-Signature": without_query}
    )
    assert response.status_code == 403
    doc = web.caller(sid="CAquery").dial("main", "voicemail")
    assert doc.find("Record") is not None


def test_insecure_dev_mode_skips_the_check(make_web: Callable[..., Web]) -> None:
    web = make_web(auth_token="", insecure_dev=True)
    doc = parse_twiml(web.client.post("/voice/main", data={"CallSid": "CAdev", "From": CALLER}))
    assert doc.find("Gather") is not None
    assert web.client.get("/healthz").json()["signatures"].startswith("OFF")


def test_config_refuses_to_start_without_a_token() -> None:
    (problem,) = ServerConfig(auth_token="").problems()
    assert "TWILIO_AUTH_TOKEN" in problem and "--insecure-dev" in problem
    assert ServerConfig(auth_token="", insecure_dev=True).problems() == []


# --- fallbacks: never an HTTP error for a signed request ------------------------------------

TEMPLATE_FLOW = """\
start: ask
states:
  ask:
    gather:
      digits: 1
      say: "Press a key."
    next: answer
  answer:
    say: "Ten divided by your key is {{ 10 | divided_by: call.digits }}."
    hangup: true
"""


def _no_session(web: Web, call: Caller) -> ET.Element:
    return call.post("/voice/main/menu/gather", Digits="1")


def _unknown_state(web: Web, call: Caller) -> ET.Element:
    call.dial("main")
    return call.post("/voice/main/no_such_state/gather", Digits="1")


def _wait(web: Web, call: Caller) -> ET.Element:
    return call.post("/wait/nope")


def cause_path(act: Any) -> str:
    return "/wait/" if act is _wait else ""


@pytest.mark.parametrize(
    ("cause", "act"),
    [
        pytest.param("unknown-flow", lambda w, c: c.dial("nope"), id="unknown-flow"),
        pytest.param("unknown-flow", _wait, id="unknown-wait-flow"),
        pytest.param("wrong-channel", lambda w, c: c.dial("autoreply"), id="sms-flow-as-voice"),
        pytest.param("no-session", _no_session, id="no-session"),
        pytest.param("flow-error", _unknown_state, id="unknown-state"),
        pytest.param("flow-error", lambda w, c: c.dial("main", "nowhere"), id="bad-entry-state"),
        pytest.param(
            "bad-callback", lambda w, c: c.post("/voice/main/menu/explode"), id="bad-callback"
        ),
        pytest.param("no-callsid", lambda w, c: w.twilio.post("/voice/main", {}), id="no-callsid"),
    ],
)
def test_fallback_twiml_for_each_cause(
    web: Web, caplog: pytest.LogCaptureFixture, cause: str, act: Callable[[Web, Caller], Any]
) -> None:
    call = web.caller()
    caplog.set_level(logging.INFO, logger="flowengine")
    answer = act(web, call)
    doc = answer if isinstance(answer, ET.Element) else parse_twiml(answer)
    if "/wait/" in cause_path(act):
        assert doc.find("Pause") is not None and doc.find("Hangup") is None
    else:
        assert said(doc) == DEFAULT_FALLBACK_SAY and doc.find("Hangup") is not None
    # The last webhook got the apology, as 200 text/xml, and the log names call and cause.
    line = [r for r in caplog.records if "outcome=fallback" in r.getMessage()][-1].getMessage()
    assert f"cause={cause}" in line
    if cause != "no-callsid":
        assert f"call={call.sid}" in line


def test_fallback_document_is_the_apology(web: Web) -> None:
    response = web.caller().twilio.post("/voice/nope", {"CallSid": "CAx", "From": CALLER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text == APOLOGY


def test_fallback_can_transfer_to_a_number(make_web: Callable[..., Web]) -> None:
    web = make_web(fallback_say="One moment.", fallback_dial="+15559990000")
    doc = web.caller().dial("nope")
    assert said(doc) == "One moment."
    dial = doc.find("Dial")
    assert dial is not None and dial.text == "+15559990000"
    assert doc.find("Hangup") is None


def test_template_error_at_run_time_falls_back(
    make_web: Callable[..., Web], flows_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (flows_dir / "divide.yaml").write_text(TEMPLATE_FLOW)
    web = make_web()
    call = web.caller()
    call.dial("divide")
    assert said(call.post("/voice/divide/ask/gather", Digits="5")).endswith("is 2.")
    call = web.caller()
    call.dial("divide")
    response = call.twilio.post("/voice/divide/ask/gather", {**call.params, "Digits": "0"})
    assert response.text == APOLOGY
    assert any("cause=template-error" in r.getMessage() for r in caplog.records)


def test_store_outage_falls_back(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    call = web.caller()
    call.dial("main")
    web.client.portal.call(web.app.state.store.close)  # type: ignore[union-attr]
    doc = call.post("/voice/main/welcome/gather", Digits="1")
    assert said(doc) == DEFAULT_FALLBACK_SAY
    assert any("cause=store-error" in r.getMessage() for r in caplog.records)
    health = web.client.get("/healthz").json()
    assert health["store"]["ok"] is False and health["status"] == "degraded"


def test_unknown_version_without_stored_source_falls_back(web: Web) -> None:
    call = web.caller()
    call.dial("main")
    session = web.session(call.sid)
    assert session is not None
    session.version = "000000000000"
    assert web.client.portal.call(web.app.state.store.save, session)  # type: ignore[union-attr]
    doc = call.post("/voice/main/welcome/gather", Digits="1")
    assert said(doc) == DEFAULT_FALLBACK_SAY


def test_store_url_scheme_is_checked_before_serving(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        open_store("postgres://nope")


def test_redirect_callback_route(make_web: Callable[..., Web], flows_dir: Path) -> None:
    (flows_dir / "relay.yaml").write_text(
        "start: a\nstates:\n"
        "  a:\n    set: {seen: 'yes'}\n    say: Hold on.\n    redirect: {state: b}\n"
        "  b:\n    say: 'Seen {{ vars.seen }}.'\n    hangup: true\n",
        encoding="utf-8",
    )
    web = make_web()
    call = web.caller()
    first = call.dial("relay")
    redirect = first.find("Redirect")
    assert redirect is not None and redirect.text == "/voice/relay/b/redirect"
    second = call.follow(first)
    assert said(second) == "Seen yes."
    session = web.session(call.sid)
    assert session is not None and session.ended and session.path == ["a", "b"]


def test_a_gather_in_the_queue_wait_flow_answers_without_a_session(
    make_web: Callable[..., Web], flows_dir: Path
) -> None:
    (flows_dir / "hold.yaml").write_text(
        "start: offer\nstates:\n"
        "  offer:\n    gather:\n      digits: 1\n      say: Press 1 to leave a message instead.\n"
        "    on: {'1': give_up, no-input: give_up}\n"
        "  give_up:\n    leave: true\n",
        encoding="utf-8",
    )
    web = make_web()
    call = web.caller()
    queued = call.reply(call.dial("support"), Digits="1")
    enqueue = queued.find("Enqueue")
    assert enqueue is not None and enqueue.attrib["waitUrl"] == "/wait/hold"
    music = call.post("/wait/hold", QueueTime="12", QueuePosition="1")
    gather = music.find("Gather")
    assert gather is not None and gather.attrib["action"] == "/voice/hold/offer/gather"
    left = call.reply(music, Digits="1")
    assert [child.tag for child in left] == ["Leave"]
    session = web.session(call.sid)
    assert session is not None and (session.flow, session.state) == ("support", "queue")
    after = call.reply(queued, QueueResult="leave")
    redirect = after.find("Redirect")
    assert redirect is not None and redirect.text == "/voice/main?state=voicemail"


def test_an_unparsable_host_header_is_refused_not_an_error(web: Web) -> None:
    for host in ("example.com:99999", "example.com:abc", "[bad"):
        response = web.client.post(
            "/voice/main",
            data={"CallSid": "CA1"},
            headers={"Host": host, "X-Twilio-Signature": "x"},
        )
        assert response.status_code == 403, (host, response.text)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"a=1&b=2",
        b"a",
        b"a=&b",
        b"x=%2B1555&y=a+b&z=%E2%82%AC&w=caf\xc3\xa9",
        b"&&a=1&",
        b"k%20n=v%3D1",
        b"a=%zz",
        b"a=1;b=2",
        b"a=1&a=2",
        b"\xff=\xfe",
        b"From=%2B15551234567&To=%2b15551230000",
        b"a=%2B1%2C2&b=%2B%2&c=%2B+1&d=%252B",
    ],
)
def test_form_parsing_matches_the_standard_library(body: bytes) -> None:
    from urllib.parse import parse_qsl

    from flowengine.server.webhook import parse_form

    expected = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    form = parse_form(body)
    assert form == dict(expected)
    grouped: dict[str, list[str]] = {}
    for name, value in expected:
        grouped.setdefault(name, []).append(value)
    assert form.values_by_name == grouped


def test_worker_settings_keep_an_empty_fallback_text() -> None:
    from flowengine.server.config import config_from_env

    assert config_from_env({"FLOWENGINE_FALLBACK_SAY": ""}).fallback_say == ""
    assert config_from_env({}).fallback_say == DEFAULT_FALLBACK_SAY


def test_phone_numbers_inside_error_texts_are_masked_in_logs() -> None:
    from flowengine.server import logs

    text = "ApiError: The 'To' number +15551234567 is not a valid phone number (21211)"
    assert logs.scrub(text) == (
        "ApiError: The 'To' number +*******4567 is not a valid phone number (21211)"
    )


@pytest.mark.parametrize("access_log", [True, False])
def test_access_log_can_be_turned_off_but_problems_are_still_logged(
    make_web: Callable[..., Web], caplog: pytest.LogCaptureFixture, access_log: bool
) -> None:
    caplog.set_level(logging.INFO, logger="flowengine")
    web = make_web(access_log=access_log)
    call = web.caller()
    call.dial("main")
    answered = [r for r in caplog.records if "route=voice" in r.getMessage()]
    assert len(answered) == (1 if access_log else 0)
    web.client.portal.call(web.app.state.store.close)  # type: ignore[union-attr]
    call.post("/voice/main/welcome/gather", Digits="1")
    assert any("cause=store-error" in r.getMessage() for r in caplog.records)


def test_no_access_log_reaches_worker_processes() -> None:
    from flowengine.server.config import config_from_env

    assert config_from_env({}).access_log
    assert not config_from_env({"FLOWENGINE_ACCESS_LOG": "0"}).access_log
