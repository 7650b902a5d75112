"""Callbacks through `flowengine serve` on a real uvicorn, with the Twilio API stand-in.

A caller waiting in a queue presses 1; the request is kept in the SQLite session store,
the server places the call through the real twilio Client (pointed at tests/twilio_fake),
a no-answer puts it back in line until its tries are used up, and a restart keeps it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flowengine.server.callbacks import LINE_KEY
from flowengine.server.stores.sqlite import SqliteSessionStore
from tests.conftest import ACME, CALLER, TOKEN, Caller, ServerProcess, Twilio, said, sign
from tests.twilio_fake import TwilioFake

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "callback"
PUBLIC = "https://ivr.example.com"


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


def serve(start: Start, flows: Path, store: str, every: float) -> ServerProcess:
    env = {
        "FLOWENGINE_PUBLIC_URL": PUBLIC,
        "FLOWENGINE_CALLBACK_EVERY": str(every),
        "FLOWENGINE_CALLBACK_RETRY_AFTER": "0.3",
    }
    return start(flows, store, env=env)


def ask_for_callback(server: ServerProcess, http: httpx.Client) -> Caller:
    phone = Caller(PublicTwilio(http, server.base))
    doc = phone.dial("line")
    enqueue = doc.find("Enqueue")
    assert enqueue is not None and enqueue.attrib["waitUrl"] == "/wait/hold", doc
    offer = phone.post("/wait/hold", QueueSid="QU1", QueuePosition="3")
    assert "Press 1" in said(offer)
    bye = phone.reply(offer, Digits="1")
    assert said(bye) == "We will call you back when it is your turn. Goodbye."
    assert bye.find("Hangup") is not None
    return phone


def placed(api: TwilioFake, count: int, timeout: float = 10.0) -> list[dict[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = [r for r in api.requests if r.path.endswith("/Calls.json")]
        if len(calls) >= count:
            return [{name: r.field(name) for name in r.form} for r in calls]
        time.sleep(0.05)
    raise AssertionError(f"expected {count} calls placed, saw {len(api.requests)} requests")


def line(store_path: Path) -> list[dict[str, object]]:
    import asyncio

    async def read() -> list[dict[str, object]]:
        store = SqliteSessionStore(str(store_path))
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


def test_no_answer_retries_until_the_tries_are_used(
    start_server: Start, flows: Path, tmp_path: Path, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    db = tmp_path / "sessions.db"
    server = serve(start_server, flows, f"sqlite:///{db}", every=0.1)
    phone = ask_for_callback(server, http)
    (first,) = placed(twilio_api, 1)
    assert first["To"] == CALLER and first["From"] == ACME
    assert first["Url"] == f"{PUBLIC}/voice/callback"
    assert first["StatusCallback"] == f"{PUBLIC}/callback/{phone.sid}"
    # Not placed twice while it rings, however many rounds go by.
    time.sleep(0.5)
    assert len(placed(twilio_api, 1)) == 1
    status(server, http, phone.sid, "no-answer")
    _, second = placed(twilio_api, 2)
    assert second["To"] == CALLER and second["Url"] == f"{PUBLIC}/voice/callback"
    status(server, http, phone.sid, "busy")
    # tries: 2 — the request is given up, and no third call is placed.
    time.sleep(0.8)
    assert len(placed(twilio_api, 2)) == 2
    server.stop()
    assert line(db) == []
    log = server.log.read_text()
    assert "event=callback-status status=no-answer outcome=retry" in log
    assert "event=callback-status status=busy outcome=gave-up" in log


def test_answered_callback_leaves_the_line_and_runs_the_flow(
    start_server: Start, flows: Path, tmp_path: Path, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    db = tmp_path / "sessions.db"
    server = serve(start_server, flows, f"sqlite:///{db}", every=0.1)
    phone = ask_for_callback(server, http)
    (call,) = placed(twilio_api, 1)
    # Twilio fetches the Url for the callback call: the flow confirms and connects.
    callee = Caller(PublicTwilio(http, server.base), caller=ACME)
    callee.params.update(From=call["From"], To=call["To"], Direction="outbound-api")
    doc = callee.dial("callback")
    assert said(doc) == "This is your call back. Connecting you now."
    assert doc.find("Enqueue") is not None and doc.find("Enqueue").text == "support"  # type: ignore[union-attr]
    status(server, http, phone.sid, "completed")
    time.sleep(0.4)
    server.stop()
    assert line(db) == []
    assert len(placed(twilio_api, 1)) == 1


def test_a_restart_keeps_the_pending_callback(
    start_server: Start, flows: Path, tmp_path: Path, http: httpx.Client, twilio_api: TwilioFake
) -> None:
    db = tmp_path / "sessions.db"
    # A long round: this server keeps the request but does not place it before it stops.
    first = serve(start_server, flows, f"sqlite:///{db}", every=3600)
    phone = ask_for_callback(first, http)
    first.stop()
    (kept,) = line(db)
    assert kept["id"] == phone.sid and kept["to"] == CALLER and kept["from"] == ACME
    assert kept["flow"] == "callback" and kept["tries"] == 2 and kept["placed"] == 0
    assert [r for r in twilio_api.requests if r.path.endswith("/Calls.json")] == []
    second = serve(start_server, flows, f"sqlite:///{db}", every=0.1)
    (call,) = placed(twilio_api, 1)
    assert call["To"] == CALLER and call["Url"] == f"{PUBLIC}/voice/callback"
    second.stop()
    (calling,) = line(db)
    assert calling["placed"] == 1 and calling["calling"] is True
