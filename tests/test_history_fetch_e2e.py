"""Fetch answers in the call history end to end: `flowengine serve` on a real uvicorn with
Twilio-signed webhooks, a bank's backend on 127.0.0.1, the history in a SQLite file; then
`flowengine replay` against a changed flow and `flowengine calls show`."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowengine.cli import main
from flowengine.history.record import CallRecord
from tests.backend import Backend, json_answer
from tests.conftest import Caller, ServerProcess, Twilio, read_call, said

Start = Callable[..., ServerProcess]
FIXTURES = Path(__file__).parent / "fixtures" / "history"
POOR, RICH, ASKS, SLOW = (f"+1555000002{i}" for i in range(1, 5))
SECRET = "marmalade-4417"


class Bank:
    def __init__(self, server: ServerProcess, history: str, flows: Path, db: Path) -> None:
        self.server, self.history, self.flows, self.db = server, history, flows, db


@pytest.fixture
def bank(start_server: Start, tmp_path: Path, backend: Backend) -> Bank:
    flows = tmp_path / "bank"
    flows.mkdir()
    shutil.copy(FIXTURES / "account.yaml", flows / "account.yaml")
    backend.answers = {
        POOR: json_answer({"balance": 50}),
        RICH: json_answer({"balance": 500}),
        ASKS: json_answer({"balance": 500}),
        SLOW: json_answer({"balance": 20}, delay=1.6),  # past the filler's 1 s
        "/secret": json_answer({"word": SECRET}),
    }
    db = tmp_path / "history.db"
    server = start_server(
        flows,
        f"sqlite:///{tmp_path}/sessions.db",
        extra=("--history", f"sqlite:///{db}"),
        env={"BANK_URL": backend.base},
    )
    return Bank(server, f"sqlite:///{db}", flows, db)


def settled(url: str, sids: list[str]) -> dict[str, CallRecord]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        calls = {sid: read_call(url, sid) for sid in sids}
        done = {sid: c for sid, c in calls.items() if c is not None and c.ended_how}
        if len(done) == len(sids):
            return done
        time.sleep(0.1)
    raise AssertionError("the history writer did not write the calls")


def place_calls(bank: Bank, http: httpx.Client) -> dict[str, Caller]:
    twilio = Twilio(http, bank.server.base)
    calls = {phone: Caller(twilio, caller=phone) for phone in (POOR, RICH, ASKS, SLOW)}
    doc = calls[POOR].dial("account")
    assert said(doc).startswith("Welcome to Acme bank. Your balance is low: 50 dollars.")
    calls[POOR].reply(doc, Digits="")
    calls[RICH].reply(calls[RICH].dial("account"), Digits="")
    doc = calls[ASKS].reply(calls[ASKS].dial("account"), Digits="1")
    assert said(doc).startswith(f"Your secret word is {SECRET}.")
    calls[ASKS].reply(doc, Digits="")
    doc = calls[SLOW].dial("account")
    assert said(doc) == "Welcome to Acme bank. One moment please."
    doc = calls[SLOW].follow(doc)  # the filler's Redirect picks the answer up
    assert said(doc).startswith("Your balance is low: 20 dollars.")
    calls[SLOW].reply(doc, Digits="")
    for call in calls.values():
        twilio.post("/status", {**call.params, "CallStatus": "completed"})
    return calls


def replay(bank: Bank, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["replay", str(bank.flows), "--history", bank.history, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_fetch_answers_are_recorded_and_replayed_against_a_changed_flow(
    bank: Bank, http: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = place_calls(bank, http)
    sid = {phone: call.sid for phone, call in calls.items()}
    records = settled(bank.history, list(sid.values()))

    poor = records[sid[POOR]]
    (answer,) = poor.steps[0].fetches or ()
    assert answer == {
        "state": "lookup",
        "method": "GET",
        "outcome": "ok",
        "status": 200,
        "data": {"balance": 50},
    }
    slow = records[sid[SLOW]]
    assert [s.event for s in slow.steps] == ["call", "fetch", "gather"]
    assert slow.steps[0].fetches == ()  # answered with the filler, before the backend
    assert [f.get("data") for f in slow.steps[1].fetches or ()] == [{"balance": 20}]
    asks = records[sid[ASKS]]
    (secret,) = asks.steps[1].fetches or ()
    assert (secret["state"], secret["status"], secret["kept"]) == ("secret", 200, "sensitive")
    assert "data" not in secret

    # Against the flows the calls ran on: all the same, but the secret is not replayable.
    code, same = replay(bank, capsys, "--fail-on-change")
    assert code == 0
    assert (same["same"], same["changed"], same["not_replayable"]) == (3, 0, 1)
    (stopped,) = same["groups"]
    assert stopped["where"] == "account:secret" and stopped["calls"][0]["sid"] == sid[ASKS]
    assert "sensitive" in stopped["calls"][0]["detail"]

    # A lower threshold: 50 is no longer low; 20 still is (the condition's label changed,
    # not the path: the same).
    path = bank.flows / "account.yaml"
    path.write_text(path.read_text().replace("less_than: 100", "less_than: 30"))
    code, lower = replay(bank, capsys, "--fail-on-change")
    assert code == 1
    assert (lower["same"], lower["changed"], lower["not_replayable"]) == (2, 1, 1)
    changed = {g["where"]: [c["sid"] for c in g["calls"]] for g in lower["groups"]}
    assert changed == {"account:check": [sid[POOR]], "account:secret": [sid[ASKS]]}


def test_a_sensitive_answer_stays_out_of_the_history_and_the_logs(
    bank: Bank, http: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = place_calls(bank, http)
    settled(bank.history, [call.sid for call in calls.values()])
    bank.server.stop()  # the writer flushes; the log is complete
    kept = b"".join(p.read_bytes() for p in bank.db.parent.glob(f"{bank.db.name}*"))
    assert b"marmalade" not in kept and b"balance" in kept
    assert SECRET not in bank.server.log.read_text()

    assert main(["calls", "--history", bank.history, "show", calls[ASKS].sid]) == 0
    shown = capsys.readouterr().out
    assert 'Fetch in lookup: ok (HTTP 200): {"balance":500}' in shown
    assert "Fetch in secret: ok (HTTP 200), answer not kept (sensitive)" in shown
    assert shown.count("it may repeat a sensitive answer") == 2  # that step and the next
    assert SECRET not in shown
    assert main(["calls", "--history", bank.history, "show", calls[POOR].sid]) == 0
    assert 'Fetch in lookup: ok (HTTP 200): {"balance":50}' in capsys.readouterr().out
