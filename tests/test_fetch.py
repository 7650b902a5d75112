"""fetch and split in the language and the runtime: compile checks, the effect `step` returns,
the answer fed back, stickiness, scenarios and the simulator answering fetches their way."""

from __future__ import annotations

import argparse
import io
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from flowengine.commands import scenarios as test_command
from flowengine.commands import simulate as simulate_command
from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import compile_source
from flowengine.flow.graph import Graph
from flowengine.runtime.effects import MAX_BODY, FetchResult, classify
from flowengine.runtime.interpreter import Event, StepResult, step
from flowengine.runtime.resume import resume
from flowengine.sim.console import play
from flowengine.sim.fetches import AnswerError, parse_answer, parse_typed

CALL = {"CallSid": "CA" + "1" * 32, "From": "+15551112222", "To": "+15553334444"}
LOOKUP = """\
start: lookup
voice: Polly.Joanna
settings:
  crm: https://crm.example.com/v1
states:
  lookup:
    say: Welcome.
    fetch:
      url: "{{ settings.crm }}/customers/{{ call.from }}?name={{ vars.name }}"
      headers: {Authorization: "Bearer {{ settings.crm }}"}
      filler: One moment.
    on:
      ok: check
      error: failed
      timeout, bad-response: agent
  check:
    switch:
      - when: {var: vars.lookup.account.balance, less_than: 0}
        next: owing
      - next: balance
  balance:
    say: {text: "Balance {{ vars.lookup.account.balance }}.", voice: default}
    hangup: true
  owing:
    say: You owe us.
    hangup: true
  failed:
    say: "Status {{ call.fetch_status }}."
    hangup: true
  agent:
    say: Agent.
    hangup: true
"""


def graph(source: str = LOOKUP) -> Graph:
    return compile_source(source, "lookup.yaml", {})


def problems(source: str) -> list[tuple[str, int, int]]:
    with pytest.raises(FlowError) as caught:
        graph(source)
    return [(d.code, d.line, d.column) for d in caught.value.diagnostics]


def says(result: StepResult) -> list[tuple[str, str | None]]:
    root = ET.fromstring(result.twiml)
    return [(e.text or "", e.get("voice")) for e in root.iter("Say")]


def started(**params: str) -> StepResult:
    return step(graph(), None, Event("call", {**CALL, **params}))


def test_step_stops_at_the_fetch_and_describes_it() -> None:
    first = started(From="+1 555/12&x=1")
    assert says(first) == [("Welcome.", "Polly.Joanna")]
    request = first.fetch
    assert request is not None and request.state == "lookup" and request.method == "GET"
    # Caller values are URL-encoded; the author's base URL is not.
    assert request.url == "https://crm.example.com/v1/customers/%2B1%20555%2F12%26x%3D1?name="
    headers = dict(request.headers)
    assert headers["X-Twilio-CallSid"] == CALL["CallSid"]
    assert headers["Authorization"] == "Bearer https://crm.example.com/v1"
    assert request.timeout == 3.0 and request.retry == 0
    assert request.filler == (
        '<Say voice="Polly.Joanna">One moment.</Say>'
        '<Redirect method="POST">/voice/lookup/lookup/fetch</Redirect>'
    )
    assert first.session.state == "lookup"


@pytest.mark.parametrize(
    ("answer", "heard", "outcome"),
    [
        (classify(200, b'{"account": {"balance": 12.5}}'), ("Balance 12.5.", None), "ok"),
        (classify(200, b'{"account": {"balance": -3}}'), ("You owe us.", "Polly.Joanna"), "ok"),
        (classify(404, b'{"error": "no"}'), ("Status 404.", "Polly.Joanna"), "error"),
        (classify(503, b"<html>"), ("Status 503.", "Polly.Joanna"), "error"),
        (FetchResult("timeout"), ("Agent.", "Polly.Joanna"), "timeout"),
        (classify(200, b"not json"), ("Agent.", "Polly.Joanna"), "bad-response"),
    ],
    ids=["ok", "ok-negative", "404", "503-html", "timeout", "not-json"],
)
def test_the_answer_picks_the_transition(answer: FetchResult, heard: object, outcome: str) -> None:
    first = started()
    assert first.fetch is not None
    after = resume(graph(), first, first.fetch, answer)
    assert says(after) == [("Welcome.", "Polly.Joanna"), heard]
    assert after.trace[0][:2] == ("lookup", outcome if outcome == "ok" else after.trace[0][1])
    assert after.session.call["fetch_outcome"] == outcome
    assert after.twiml.count("<Response>") == 1 and after.twiml.endswith("</Response>")


def test_classify_caps_the_body_and_needs_json() -> None:
    assert classify(200, b"[1, 2]").outcome == "ok"
    assert classify(200, b"").outcome == "bad-response"
    assert classify(200, b"1" * (MAX_BODY + 1)).outcome == "bad-response"
    assert classify(None, None).outcome == "timeout"
    assert classify(302, b"").outcome == "error"


@pytest.mark.parametrize(
    ("fetch", "expected"),
    [
        ("{url: 'https://x.example.com', timeout: 7, retry: 1}", ("FE140", 5, 52)),
        ("{url: 'https://x.example.com', body: {a: 1}}", ("FE006", 5, 43)),
        ("{url: '{{ settings.crm }}/x'}", ("FE102", 5, 18)),
    ],
    ids=["too-slow", "get-with-body", "unknown-setting-in-url"],
)
def test_compile_problems_have_positions(fetch: str, expected: tuple[str, int, int]) -> None:
    head = "start: a\nsettings: {}\nstates:\n  a:\n"
    source = f"{head}    fetch: {fetch}\n    next: b\n  b:\n    hangup: true\n"
    assert expected in problems(source)


SPLIT = """\
start: test
states:
  test:
    split: {a: 30, b: 70}
  a: {say: A., hangup: true}
  b: {say: B., hangup: true}
"""


def test_split_is_sticky_per_call_and_follows_the_weights() -> None:
    split = graph(SPLIT)
    picks = Counter()
    for n in range(2000):
        sid = f"CA{n:032d}"
        first = step(split, None, Event("call", {**CALL, "CallSid": sid}))
        again = step(split, None, Event("call", {**CALL, "CallSid": sid}))
        assert first.twiml == again.twiml
        picks[says(first)[0][0]] += 1
    assert 500 < picks["A."] < 700 and picks["A."] + picks["B."] == 2000
    forced = step(split, None, Event("call", CALL, splits={"test": "a"}))
    assert says(forced) == [("A.", None)]
    assert ("FE141", 4, 12) in problems(SPLIT.replace("70", "60"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_scenarios(path: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    test_command.configure(parser)
    return test_command.run(parser.parse_args([str(path), *extra]))


def test_scenarios_answer_fetches_and_count_their_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "lookup.yaml", LOOKUP)
    write(tmp_path, "test.yaml", SPLIT)
    scenarios = write(
        tmp_path,
        "s.yaml",
        "scenarios:\n"
        "  - name: owing\n    flow: lookup.yaml\n"
        "    fetch: {lookup: {status: 200, body: {account: {balance: -1}}}}\n"
        "    steps: [{hear: You owe us., ended: hangup}]\n"
        "  - name: forced b\n    flow: test.yaml\n    split: {test: b}\n"
        "    steps: [{hear: B.}]\n"
        "  - name: unanswered\n    flow: lookup.yaml\n    steps: [{hear: Welcome.}]\n",
    )
    assert run_scenarios(scenarios) == 1
    out = capsys.readouterr().out
    assert "PASS" in out and "forced b" in out
    assert "state 'lookup' fetches GET https://crm.example.com/v1/customers/%2B15550001111" in out
    assert "no answer is given for it" in out
    assert "edges 2/5" in out  # lookup -ok-> check -> owing; the failures were not taken
    assert "missed edge: lookup --[error]--> failed" in out
    assert "test (" in out and "edges 1/2" in out


def test_scenario_answers_are_checked_when_the_file_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "lookup.yaml", LOOKUP)
    scenarios = write(
        tmp_path,
        "s.yaml",
        "scenarios:\n  - name: x\n    flow: lookup.yaml\n    fetch: {lookup: {status: 99}}\n",
    )
    assert run_scenarios(scenarios) != 0
    captured = capsys.readouterr()
    assert "s.yaml:4:21: 'status' is an HTTP status code" in captured.err


def test_answers_are_written_one_way() -> None:
    assert parse_answer({"timeout": True}).outcome == "timeout"
    assert parse_answer({"status": 200, "body": "<html>"}).outcome == "bad-response"
    assert parse_answer({"status": 500}).outcome == "error"
    assert parse_typed('200 {"a": 1}') == FetchResult("ok", 200, {"a": 1})
    assert parse_typed("timeout").outcome == "timeout"
    with pytest.raises(AnswerError):
        parse_answer({"stat": 200})
    with pytest.raises(AnswerError):
        parse_typed("soon")


def simulate(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    simulate_command.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    code = play(parser.parse_args(list(argv)), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_simulate_takes_answers_from_a_file_or_asks(tmp_path: Path) -> None:
    flow = write(tmp_path, "lookup.yaml", LOOKUP)
    answers = write(
        tmp_path, "answers.yaml", "lookup: {status: 200, body: {account: {balance: 4}}}\n"
    )
    code, out, _ = simulate(str(flow), "--fetch", str(answers), "--inputs", "")
    assert code == 0 and "Balance 4." in out and "-> ok 200" in out
    code, out, _ = simulate(str(flow), stdin="soon\n503\n")
    assert code == 0 and "? type timeout" in out and "Status 503." in out
    code, _, err = simulate(str(flow), "--inputs", "")
    assert code == 1 and "no answer is given for it" in err
