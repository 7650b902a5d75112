"""The history store goes away during calls, and the server is killed mid-call: callers
notice nothing, and the history catches up."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from flowengine.history.record import CallRecord
from tests.conftest import Caller, ServerProcess, Twilio, read_call, said
from tests.pg import pg_url  # noqa: F401  (fixture)
from tests.tcp_proxy import Proxy

Start = Callable[..., ServerProcess]


def wait_for(
    url: str, sid: str, done: Callable[[CallRecord], bool], timeout: float = 30
) -> CallRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        call = read_call(url, sid)
        if call is not None and done(call):
            return call
        time.sleep(0.2)
    raise AssertionError(f"call {sid} not in the history as expected: {read_call(url, sid)}")


def a_whole_call(twilio: Twilio) -> Caller:
    call = Caller(twilio)
    doc = call.reply(call.dial("main"), Digits="1")
    doc = call.reply(doc, Digits="1")
    assert said(doc) == "Connecting you to sales."
    doc = call.reply(doc, DialCallStatus="completed")
    assert doc.find("Hangup") is not None
    assert twilio.post("/status", {**call.params, "CallStatus": "completed"}).status_code == 200
    return call


SALES_PATH = ["screen", "welcome", "open_check", "menu", "sales", "goodbye"]


def test_postgres_away_during_calls_callers_notice_nothing_records_arrive_later(
    start_server: Start,
    flows_dir: Path,
    tmp_path: Path,
    http: httpx.Client,
    request: pytest.FixtureRequest,
) -> None:
    database: str = request.getfixturevalue("pg_url")
    parts = urlsplit(database)
    proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.start()
    user = f"{parts.username}@" if parts.username else ""
    through = urlunsplit(
        (parts.scheme, f"{user}127.0.0.1:{proxy.port}", parts.path, parts.query, "")
    )
    server = start_server(
        flows_dir, f"sqlite:///{tmp_path}/sessions.db", extra=("--history", through, "--metrics")
    )
    twilio = Twilio(http, server.base)
    before = a_whole_call(twilio)
    wait_for(database, before.sid, lambda c: c.ended_how == "completed")

    proxy.cut()
    during = [a_whole_call(twilio) for _ in range(3)]  # every answer as usual (asserted inside)
    time.sleep(1.0)
    assert read_call(database, during[0].sid) is None  # nothing reached the database
    metrics = http.get(server.base + "/metrics").text
    assert "flowengine_history_store_errors_total" in metrics
    errors = [
        line
        for line in metrics.splitlines()
        if line.startswith("flowengine_history_store_errors_total")
    ]
    assert float(errors[0].split()[-1]) >= 1
    assert "Traceback" not in server.log.read_text()

    proxy.start()  # the same port again
    for call in during:
        record = wait_for(database, call.sid, lambda c: c.ended_how == "completed")
        assert record.path == SALES_PATH
        assert [s.input for s in record.steps] == ["", "keys:1", "keys:1", "dial:completed"]
    proxy.cut()


def test_kill_9_mid_call_loses_nothing_the_session_store_committed(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    sessions = f"sqlite:///{tmp_path}/sessions.db"
    history = f"sqlite:///{tmp_path}/history.db"
    first = start_server(flows_dir, sessions, extra=("--history", history))
    call = Caller(Twilio(http, first.base))
    doc = call.reply(call.dial("main"), Digits="1")
    os.kill(first.process.pid, signal.SIGKILL)  # within the writer's batch window
    first.process.wait()

    second = start_server(flows_dir, sessions, extra=("--history", history))
    call.twilio = Twilio(http, second.base)
    doc = call.reply(doc, Digits="1")
    doc = call.reply(doc, DialCallStatus="completed")
    call.twilio.post("/status", {**call.params, "CallStatus": "completed"})
    record = wait_for(history, call.sid, lambda c: c.ended_how == "completed")
    # The session store had every state the call passed: the path is whole.
    assert record.path == SALES_PATH
    assert (record.outcome, record.flow) == ("hangup", "main")
    # Steps the killed server had not written yet are missing, never invented.
    assert [s.rev for s in record.steps] == sorted({s.rev for s in record.steps})
    assert record.steps[-1].input == "dial:completed"
