"""Fetches through `flowengine serve` on a real uvicorn, against a real backend on 127.0.0.1.

Every webhook is signed as Twilio signs it. The backend answers fast, with an error, with a
web page, with an oversized body, slowly (the filler prompt and Redirect), or not at all.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.backend import Answer, Backend, json_answer
from tests.conftest import TOKEN, Caller, ServerProcess, Twilio, read_call, said
from tests.twilio_fake import TwilioFake

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
ANA, DOWN, PAGE, HUGE, SLOW, DEAD = (f"+1555000000{i}" for i in range(1, 7))


@pytest.fixture
def server(
    start_server: Start, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> ServerProcess:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURES, flows)
    monkeypatch.setenv("CRM_URL", backend.base + "/api")
    monkeypatch.setenv("CRM_TOKEN", "backend-secret")
    backend.answers = {
        ANA: json_answer({"name": "Ana"}),
        DOWN: Answer(status=503, body=b"down"),
        PAGE: Answer(body=b"<html>oops</html>", content_type="text/html"),
        HUGE: json_answer({"blob": "x" * 70_000}),
        SLOW: json_answer({"name": "Slow Sam"}, delay=1.6),
        DEAD: json_answer({"name": "never"}, delay=5),
        "/api/visits": json_answer({"number": 7}),
    }
    return start_server(flows, f"sqlite:///{tmp_path}/sessions.db")


def call(server: ServerProcess, http: httpx.Client, caller: str) -> Caller:
    return Caller(Twilio(http, server.base), caller=caller)


def test_ok_stores_the_answer_and_the_next_fetch_posts_json(
    server: ServerProcess, http: httpx.Client, backend: Backend
) -> None:
    phone = call(server, http, ANA)
    doc = phone.dial("lookup")
    assert said(doc) == "Welcome. Hello Ana. Visit 7. Press 1 to hear it again."
    assert [e.tag for e in doc] == ["Say", "Say", "Gather"], ET.tostring(doc)
    lookup, visit = backend.seen
    # The caller's number is URL-encoded: "+" would otherwise read as a space.
    assert lookup.path == "/api/customers?phone=%2B15550000001"
    assert lookup.method == "GET"
    assert lookup.headers["X-Twilio-CallSid"] == phone.sid
    assert lookup.headers["Authorization"] == "Bearer backend-secret"
    for seen in backend.seen:
        assert all(TOKEN not in value for value in seen.headers.values())
    assert visit.method == "POST" and visit.path == "/api/visits"
    assert visit.headers["Content-Type"] == "application/json"
    assert json.loads(visit.body) == {"customer": "Ana", "from": ANA, "vip": True}
    # Pressing 1 goes round again: the answer was kept in the session, the POST is sent again.
    again = phone.reply(doc, Digits="1")
    assert said(again).startswith("Hello Ana. Visit 7.")
    assert len(backend.seen) == 3


@pytest.mark.parametrize(
    ("caller", "heard", "tries"),
    [
        (DOWN, "The system said 503.", 2),  # a 5xx is retried once
        (PAGE, "The system gave a bad answer.", 1),
        (HUGE, "The system gave a bad answer.", 1),
    ],
    ids=["error-status", "not-json", "oversized"],
)
def test_failures_take_their_own_transition(
    server: ServerProcess,
    http: httpx.Client,
    backend: Backend,
    caller: str,
    heard: str,
    tries: int,
) -> None:
    doc = call(server, http, caller).dial("lookup")
    assert said(doc) == f"Welcome. {heard}"
    assert doc[-1].tag == "Hangup"
    assert len(backend.seen) == tries


def test_slow_backend_gets_the_filler_then_the_redirect_picks_the_answer_up(
    server: ServerProcess, http: httpx.Client, backend: Backend
) -> None:
    phone = call(server, http, SLOW)
    started = time.perf_counter()
    doc = phone.dial("lookup")
    waited = time.perf_counter() - started
    assert said(doc) == "Welcome. One moment please."
    redirect = doc.find("Redirect")
    assert redirect is not None and redirect.text == "/voice/lookup/lookup/fetch"
    assert redirect.attrib == {"method": "POST"}
    assert waited < 1.5, "the filler must come before the backend answers"
    after = phone.follow(doc)
    assert said(after).startswith("Hello Slow Sam. Visit 7.")
    assert len([s for s in backend.seen if "customers" in s.path]) == 1


def test_backend_that_never_answers_times_out_after_the_retry(
    server: ServerProcess, http: httpx.Client, backend: Backend
) -> None:
    phone = call(server, http, DEAD)
    doc = phone.dial("lookup")
    assert said(doc) == "Welcome. One moment please."
    started = time.perf_counter()
    after = phone.follow(doc)
    assert said(after) == "The system is slow."
    assert time.perf_counter() - started < 12
    assert len(backend.seen) == 2  # one try and one retry, each cut at 2 s


def test_the_event_loop_serves_other_calls_during_a_slow_fetch(
    server: ServerProcess, http: httpx.Client, backend: Backend
) -> None:
    results: dict[str, ET.Element] = {}

    def slow_call() -> None:
        with httpx.Client(timeout=20) as own:
            results["slow"] = call(server, own, DEAD).dial("lookup")

    thread = threading.Thread(target=slow_call)
    thread.start()
    while not backend.seen:
        time.sleep(0.01)
    started = time.perf_counter()
    doc = call(server, http, ANA).dial("plain")
    assert time.perf_counter() - started < 0.5
    assert said(doc) == "Hello."
    thread.join()
    assert said(results["slow"]) == "Welcome. One moment please."


def test_the_same_entry_posted_twice_at_once_fetches_once(
    server: ServerProcess, backend: Backend
) -> None:
    backend.answers[ANA] = json_answer({"name": "Ana"}, delay=0.4)
    twins: list[str] = []
    sid = "CA" + "7" * 32

    def post() -> None:
        with httpx.Client(timeout=20) as own:
            doc = Caller(Twilio(own, server.base), sid=sid, caller=ANA).dial("lookup")
            twins.append(said(doc))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert twins == ["Welcome. Hello Ana. Visit 7. Press 1 to hear it again."] * 2
    assert [s.path for s in backend.seen].count("/api/customers?phone=%2B15550000001") == 1
    assert [s.path for s in backend.seen].count("/api/visits") == 1


def test_the_same_callback_posted_twice_at_once_sends_one_text(
    start_server: Start, tmp_path: Path, twilio_api: TwilioFake
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURES, flows)
    server = start_server(flows, f"sqlite:///{tmp_path}/sessions.db")
    with httpx.Client(timeout=20) as own:
        first = Caller(Twilio(own, server.base), caller=ANA)
        doc = first.dial("texts")
    action = doc[0].attrib["action"]
    answers: list[str] = []

    def press() -> None:
        with httpx.Client(timeout=20) as own:
            twin = Caller(Twilio(own, server.base), sid=first.sid, caller=ANA)
            answers.append(said(twin.post(action, Digits="1")))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["Sent. Press 1 to hear the menu again."] * 2
    deadline = time.monotonic() + 5
    while not twilio_api.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a second text, if one were coming, would be on its way by now
    assert [r.form["Body"] for r in twilio_api.requests] == [["Your code is 42."]]


def test_a_callback_posted_again_later_sends_no_second_text_and_no_second_fetch(
    twilio_api: TwilioFake, server: ServerProcess, backend: Backend
) -> None:
    with httpx.Client(timeout=20) as own:
        phone = Caller(Twilio(own, server.base), caller=ANA)
        first = phone.dial("lookup")
        again = phone.dial("lookup")  # Twilio retrying the entry after a timeout
        assert said(again) == said(first)
        assert [s.path for s in backend.seen].count("/api/visits") == 1
        menu = phone.dial("texts")
        action = menu[0].attrib["action"]
        sent = phone.post(action, Digits="1")
        repeated = phone.post(action, Digits="1")
        assert said(sent) == said(repeated) == "Sent. Press 1 to hear the menu again."
        # Going round again on purpose is not a repeat: that text goes out.
        phone.post(
            phone.post(sent[-1].attrib["action"], Digits="1")[0].attrib["action"], Digits="1"
        )
    deadline = time.monotonic() + 5
    while len(twilio_api.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert len(twilio_api.requests) == 2


def test_fetches_reach_the_call_history_and_the_metrics(
    start_server: Start, tmp_path: Path, backend: Backend, http: httpx.Client
) -> None:
    """Issue 15 asks for fetch outcomes in the history and fetch latency and errors in
    /metrics: both are told by the server when it performs a fetch."""
    from prometheus_client.parser import text_string_to_metric_families

    flows = tmp_path / "flows"
    shutil.copytree(FIXTURES, flows)
    backend.answers = {
        ANA: json_answer({"name": "Ana"}),
        DOWN: Answer(status=503, body=b"down"),
        "/api/visits": json_answer({"number": 7}),
    }
    history = f"sqlite:///{tmp_path}/history.db"
    server = start_server(
        flows,
        f"sqlite:///{tmp_path}/sessions.db",
        extra=("--history", history, "--metrics"),
        env={"CRM_URL": backend.base + "/api", "CRM_TOKEN": "backend-secret"},
    )
    ok, down = call(server, http, ANA), call(server, http, DOWN)
    ok.dial("lookup")
    down.dial("lookup")

    text = http.get(server.base + "/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    latency = [s for s in families["flowengine_fetch_seconds"].samples if s.name.endswith("_count")]
    assert sum(s.value for s in latency) == 3  # Ana's lookup and register, the failed lookup
    errors = [s for s in families["flowengine_fetch_errors"].samples if s.name.endswith("_total")]
    assert [(s.labels["state"], s.labels["cause"], s.value) for s in errors] == [
        ("lookup", "error", 1.0)
    ]

    def notes(sid: str) -> list[dict[str, object]]:
        record = read_call(history, sid)
        return [] if record is None else [n.data for n in record.notes if n.kind == "fetch"]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (notes(down.sid)):
        time.sleep(0.2)  # the history's writer batches once a second
    [failed] = notes(down.sid)
    assert (failed["state"], failed["outcome"], failed["status"]) == ("lookup", "error", 503)
    assert [(n["state"], n["outcome"]) for n in (notes(ok.sid))] == [
        ("lookup", "ok"),
        ("register", "ok"),
    ]
