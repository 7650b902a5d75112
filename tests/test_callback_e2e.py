"""Callbacks through `flowengine serve` on a real uvicorn, with the Twilio API stand-in.

A caller waiting in a queue presses 1; the request is kept in the session store (SQLite
and the real Redis), keeping the caller's place in the queue. Agents taking callers from
that queue (the Queue noun's url, the Enqueue action's `bridged`, each dequeue counted
once) move it up; with nobody ahead, the server places the call at once through the real
twilio Client (pointed at tests/twilio_fake). A no-answer puts it back in line until its
tries are used up, and a restart between asking and placing keeps it.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flowengine.server.callbacks import LINE_KEY
from flowengine.server.stores import open_store
from tests.conftest import ACME, CALLER, TOKEN, Caller, ServerProcess, Twilio, said, sign
from tests.twilio_fake import TwilioFake

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "callback"
PUBLIC = "https://ivr.example.com"
QUEUE = "QU" + "1" * 32


class PublicTwilio(Twilio):
    """Posts to the server on loopback, signed for its public URL (as behind a TLS proxy)."""

    def post(
        self, path: str, params: dict[str, str] | object, idempotency_token: str | None = None
    ) -> httpx.Response:
        assert isinstance(params, dict)
        headers = {"X-Twilio-Signature": sign(PUBLIC + path, params, TOKEN)}
        return self.http.post(self.base + path, data=params, headers=headers)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sessions.db'}"
    url: str = request.getfixturevalue("redis_url")
    return url


def serve(start: Start, flows: Path, store: str, every: float, **env: str) -> ServerProcess:
    settings = {
        "FLOWENGINE_PUBLIC_URL": PUBLIC,
        "FLOWENGINE_CALLBACK_EVERY": str(every),
        "FLOWENGINE_CALLBACK_RETRY_AFTER": "0.3",
        **env,
    }
    return start(flows, store, env=settings)


def ask_for_callback(server: ServerProcess, http: httpx.Client, position: int) -> Caller:
    """A caller waits in the queue, hears the offer at `position` and presses 1 (the
    Gather's request carries no queue fields, as Twilio documents them for waitUrl only)."""
    phone = Caller(PublicTwilio(http, server.base))
    doc = phone.dial("line")
    enqueue = doc.find("Enqueue")
    assert enqueue is not None and enqueue.attrib["waitUrl"] == "/wait/hold", doc
    offer = phone.post("/wait/hold", QueueSid=QUEUE, QueuePosition=str(position))
    assert "Press 1" in said(offer)
    bye = phone.reply(offer, Digits="1")
    assert said(bye) == "We will call you back when it is your turn. Goodbye."
    assert bye.find("Hangup") is not None
    return phone


def waiting_caller(server: ServerProcess, http: httpx.Client) -> Caller:
    """Another caller in the same queue, who stays on the line."""
    phone = Caller(PublicTwilio(http, server.base), sid="CA" + uuid.uuid4().hex)
    assert phone.dial("line").find("Enqueue") is not None
    return phone


def agent_takes(server: ServerProcess, http: httpx.Client, taken: Caller) -> None:
    """An agent dials the queue; Twilio fetches the Queue's url on the taken caller's leg."""
    agent = Caller(PublicTwilio(http, server.base), caller="+15557770001")
    queue = agent.dial("agent").find("Dial/Queue")
    assert queue is not None and queue.text == "support"
    assert queue.attrib["url"] == "/dequeued"
    params = {**taken.params, "QueueSid": QUEUE, "QueueTime": "30"}
    params["DequeingCallSid"] = agent.sid
    answer = PublicTwilio(http, server.base).post(queue.attrib["url"], params)
    assert answer.status_code == 200 and "<Say" not in answer.text, answer.text


def bridged_ends(taken: Caller) -> None:
    """The taken caller's conversation ends: Twilio posts the Enqueue action, `bridged`."""
    after = taken.post("/voice/line/queue/enqueue", QueueResult="bridged", QueueSid=QUEUE)
    assert after.find("Hangup") is not None


def placed(api: TwilioFake, count: int, timeout: float = 10.0) -> list[dict[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = [r for r in api.requests if r.path.endswith("/Calls.json")]
        if len(calls) >= count:
            return [{name: r.field(name) for name in r.form} for r in calls]
        time.sleep(0.05)
    raise AssertionError(f"expected {count} calls placed, saw {len(api.requests)} requests")


def none_placed_since(api: TwilioFake, count: int, wait: float = 0.6) -> None:
    time.sleep(wait)
    assert len([r for r in api.requests if r.path.endswith("/Calls.json")]) == count


def line(store_url: str) -> list[dict[str, object]]:
    async def read() -> list[dict[str, object]]:
        store = open_store(store_url)
        try:
            record = await store.load(LINE_KEY)
        finally:
            await store.close()
        return [] if record is None else list(record.vars["line"])

    return asyncio.run(read())


def status(server: ServerProcess, http: httpx.Client, ident: str, call_status: str) -> None:
    params = {"CallSid": "CA" + "9" * 32, "CallStatus": call_status, "To": CALLER, "From": ACME}
    answer = PublicTwilio(http, server.base).post(f"/callback/{ident}", params)
    assert answer.status_code == 200, answer.text


def test_the_callers_turn_comes_when_agents_take_the_queue(
    start_server: Start, flows: Path, store_url: str, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    # A round of an hour: only the caller's turn (or a retry of it) places a call here.
    first = serve(start_server, flows, store_url, every=3600)
    ahead = [waiting_caller(first, http), waiting_caller(first, http)]
    phone = ask_for_callback(first, http, position=3)
    (kept,) = line(store_url)
    assert (kept["id"], kept["queue"], kept["ahead"], kept["placed"]) == (phone.sid, QUEUE, 2, 0)
    # The server stops between asking and placing; the next one finds the request.
    first.stop()
    server = serve(start_server, flows, store_url, every=3600)
    (kept,) = line(store_url)
    assert kept["id"] == phone.sid and kept["ahead"] == 2 and kept["tries"] == 2
    for caller in ahead:  # Twilio reaches whichever server is up
        caller.twilio = PublicTwilio(http, server.base)

    # The first caller ahead is taken: both of Twilio's signals come (the Queue's url now,
    # the Enqueue action when that conversation ends) and count as one.
    agent_takes(server, http, ahead[0])
    bridged_ends(ahead[0])
    none_placed_since(twilio_api, 0)
    assert line(store_url)[0]["ahead"] == 1
    # The second is seen only by its Enqueue action: nobody is ahead now, placed at once.
    started = time.monotonic()
    bridged_ends(ahead[1])
    (call,) = placed(twilio_api, 1)
    assert time.monotonic() - started < 3.0
    assert call["To"] == CALLER and call["From"] == ACME
    assert call["Url"] == f"{PUBLIC}/voice/callback"
    assert call["StatusCallback"] == f"{PUBLIC}/callback/{phone.sid}"
    none_placed_since(twilio_api, 1)  # not placed twice while it rings

    # Not answered: tried again after the retry delay (not the hour's round), then given up.
    status(server, http, phone.sid, "no-answer")
    _, second = placed(twilio_api, 2)
    assert second["To"] == CALLER and second["Url"] == f"{PUBLIC}/voice/callback"
    status(server, http, phone.sid, "busy")
    none_placed_since(twilio_api, 2, wait=0.8)  # tries: 2
    server.stop()
    assert line(store_url) == []
    log = server.log.read_text()
    assert "event=callback-status status=no-answer outcome=retry" in log
    assert "event=callback-status status=busy outcome=gave-up" in log
    assert "rule=turn" in log


def test_answered_callback_leaves_the_line_and_runs_the_flow(
    start_server: Start, flows: Path, store_url: str, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    server = serve(start_server, flows, store_url, every=3600)
    phone = ask_for_callback(server, http, position=1)  # first in line: placed at once
    (call,) = placed(twilio_api, 1, timeout=3.0)
    # Twilio fetches the Url for the callback call: the flow confirms and connects.
    callee = Caller(PublicTwilio(http, server.base), caller=ACME)
    callee.params.update(From=call["From"], To=call["To"], Direction="outbound-api")
    doc = callee.dial("callback")
    assert said(doc) == "This is your call back. Connecting you now."
    assert doc.find("Enqueue") is not None and doc.find("Enqueue").text == "support"  # type: ignore[union-attr]
    status(server, http, phone.sid, "completed")
    none_placed_since(twilio_api, 1, wait=0.4)
    server.stop()
    assert line(store_url) == []


def test_without_a_queue_the_rate_rule_places_it(
    start_server: Start, flows: Path, tmp_path: Path, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    # FLOWENGINE_CALLBACK_MAX_WAIT=0: the place in the queue is not kept; one a round.
    store_url = f"sqlite:///{tmp_path / 'sessions.db'}"
    server = serve(start_server, flows, store_url, 0.2, FLOWENGINE_CALLBACK_MAX_WAIT="0")
    phone = ask_for_callback(server, http, position=5)
    (call,) = placed(twilio_api, 1)
    assert call["StatusCallback"] == f"{PUBLIC}/callback/{phone.sid}"
    server.stop()
    (kept,) = line(store_url)
    assert kept["queue"] == "" and kept["calling"] is True
    assert "rule=rate" in server.log.read_text()
