"""Hostile and broken input never gets a 500, and TwiML is always well-formed XML."""

from __future__ import annotations

import http.client
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowengine.server.config import DEFAULT_FALLBACK_SAY
from tests.conftest import (
    EXAMPLE_FLOWS,
    Caller,
    ServerProcess,
    Twilio,
    Web,
    parse_twiml,
    said,
    sign,
)

MEGABYTE = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for this module: every test here must leave it healthy."""
    tmp = tmp_path_factory.mktemp("hostile")
    flows = tmp / "flows"
    shutil.copytree(EXAMPLE_FLOWS, flows)
    server = ServerProcess(flows, f"sqlite:///{tmp}/sessions.db", tmp / "server.log")
    yield server
    server.stop()
    assert "Traceback" not in server.log.read_text()


@pytest.fixture
def twilio(server: ServerProcess) -> Iterator[Twilio]:
    with httpx.Client(timeout=10) as client:
        yield Twilio(client, server.base)


def raw(
    server: ServerProcess, method: str, target: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes]:
    """A request with the path sent exactly as written (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        if "X-Twilio-Signature" not in headers and body:
            headers["X-Twilio-Signature"] = sign(server.base + target, {})
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_megabyte_body_is_refused_cleanly(server: ServerProcess, twilio: Twilio) -> None:
    params = {"CallSid": "CAbig", "SpeechResult": "x" * MEGABYTE}
    response = twilio.post("/voice/main", params)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(16):
            yield b"SpeechResult=" + b"y" * (64 * 1024) + b"&"

    chunked = twilio.http.post(server.base + "/voice/main", content=chunks())
    assert chunked.status_code == 413
    assert server.health()["status"] == "ok"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        pytest.param("/voice/..%2Fx", {404}, id="encoded-slash"),
        pytest.param("/voice/%2e%2e/%2e%2e/etc/passwd", {404}, id="dot-dot"),
        pytest.param("/voice/..%5Cmain", {200}, id="backslash"),
        pytest.param("/voice/main%00", {200}, id="nul"),
        pytest.param("/voice/main/../gather", {200}, id="dot-dot-state"),
        pytest.param("/voice/main/%3Cb%3E/gather", {200}, id="markup-state"),
        pytest.param("/voice/" + "a" * 5000, {200}, id="long-name"),
        pytest.param("/sms/..", {200}, id="sms-dot-dot"),
    ],
)
def test_path_tricks(server: ServerProcess, target: str, expected: set[int]) -> None:
    body = b"CallSid=CAtrick&From=%2B15551234567"
    signature = sign(server.base + target, {"CallSid": "CAtrick", "From": "+15551234567"})
    status, content = raw(server, "POST", target, body, **{"X-Twilio-Signature": signature})
    assert status in expected
    if status == 200:
        root = ET.fromstring(content)
        if target.startswith("/voice/"):
            assert said(root) == DEFAULT_FALLBACK_SAY


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        pytest.param("GET", "/voice/main", 405, id="get-entry"),
        pytest.param("PUT", "/status", 405, id="put-status"),
        pytest.param("POST", "/healthz", 405, id="post-health"),
        pytest.param("GET", "/voice", 404, id="no-flow"),
        pytest.param("POST", "/voice/main", 403, id="unsigned"),
    ],
)
def test_wrong_methods_and_unsigned(
    server: ServerProcess, method: str, target: str, status: int
) -> None:
    assert raw(server, method, target, **{"X-Twilio-Signature": "x"})[0] == status


def test_missing_fields_and_garbage_bodies(server: ServerProcess, twilio: Twilio) -> None:
    assert said(parse_twiml(twilio.post("/voice/main", {}))) == DEFAULT_FALLBACK_SAY
    assert parse_twiml(twilio.post("/status", {})).find("Say") is None
    assert parse_twiml(twilio.post("/sms/autoreply", {})) is not None
    assert parse_twiml(twilio.post("/wait/hold", {})).find("Say") is not None
    # Bytes that are not UTF-8, and a form with thousands of fields.
    assert raw(server, "POST", "/voice/main", b"CallSid=\xff\xfe&From=\x80")[0] == 403
    many = "&".join(f"f{i}=1" for i in range(3000)).encode()
    assert raw(server, "POST", "/voice/main", many)[0] in (400, 403)


HOSTILE = [
    "<Say>evil</Say>",
    "]]><Hangup/><![CDATA[",
    "&amp; &lt; & < > \" '",
    "\x00\x01\x07\x1b\x7f\ufffe\uffff",
    "\ud7ff\ue000\U0001f600 café",
    "{{ settings }}{% raw %}",
]


@pytest.mark.parametrize("speech", HOSTILE)
def test_markup_and_control_characters_in_speech(twilio: Twilio, speech: str) -> None:
    call = Caller(twilio)
    doc = call.dial("main")
    doc = call.reply(doc, SpeechResult=speech, Digits=speech)
    assert said(doc) != DEFAULT_FALLBACK_SAY
    for element in doc.iter():  # nothing the caller said became an element
        assert element.tag in {"Response", "Say", "Gather", "Play"}


def test_any_speech_or_digits_give_well_formed_twiml(web: Web) -> None:
    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=200), st.text(max_size=5))
    def check(speech: str, digits: str) -> None:
        # Form fields are UTF-8: lone surrogates cannot be sent and never arrive.
        speech = speech.encode("utf-8", "ignore").decode()
        digits = digits.encode("utf-8", "ignore").decode()
        call = web.caller()
        menu = call.reply(call.dial("main"), Digits="1")
        root = call.reply(menu, SpeechResult=speech, Digits=digits)
        assert said(root) != DEFAULT_FALLBACK_SAY
        assert (
            root.find("Gather") is not None
            or root.find("Dial") is not None
            or (root.find("Redirect") is not None)
        )

    check()
