"""call_back in the simulator and scenarios: the transcript names the request, a scenario
asserts it (`ended: call_back`, `call_back: {flow, tries}`) and can go on into the callback
call (`callback: answered`, or not answered while tries are left); coverage counts it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from flowengine.flow.loader import load_file
from flowengine.scenarios.coverage import Coverage
from flowengine.scenarios.file import ScenarioFileError, load
from flowengine.scenarios.runner import Runner
from flowengine.sim import caller_input
from flowengine.sim.caller_input import InputError
from flowengine.sim.flows import Flows, SimulationError
from flowengine.sim.simulate import Call

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "callback"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

SCENARIOS = """\
flow: line.yaml
scenarios:
  - name: pressing 1 in the queue asks for a callback, answered at the second call
    steps:
      - hear: Press 1 to be called back instead of waiting.
      - press: 1
        hear:
          - We will call you back when it is your turn. Goodbye.
          - "Call back: flow 'callback', at most 2 calls"
        ended: call_back
        call_back: {flow: callback, tries: 2}
      - callback: no-answer
        hear: "(the callback call is not answered: no-answer; 1 more at most)"
        ended: call_back
      - callback: answered
        hear: This is your call back. Connecting you now.
        flow: callback
        state: confirm
      - queue: bridged
        ended: hangup
    expect:
      call_back: callback
%s
"""
GIVE_UP = """\
  - name: not answered twice, the request is given up
    steps:
      - press: 1
      - callback: busy
      - callback: no-answer
        hear: "given up after 2"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES, target)
    return target


def run(folder: Path, text: str) -> tuple[list[str | None], Coverage]:
    path = folder / "line_test.yaml"
    path.write_text(text, encoding="utf-8")
    coverage = Coverage()
    runner = Runner(coverage)
    return [runner.run(scenario).failure for scenario in load(str(path))], coverage


def test_a_scenario_asserts_the_callback_and_goes_on_into_its_call(folder: Path) -> None:
    failures, coverage = run(folder, SCENARIOS % GIVE_UP)
    assert failures == [None, None]
    by_flow = {flow.graph.name: flow for flow in coverage.report()}
    # The callback flow's call counts like any other: every state and edge was run.
    assert by_flow["callback"].percent == 100.0
    assert "call_me_back" in by_flow["hold"].states


@pytest.mark.parametrize(
    ("expect", "problem"),
    [
        ("call_back: {flow: other}", "expected a callback (flow other)"),
        ("call_back: {flow: callback, tries: 3}", "callback: flow callback, tries 2"),
        ("ended: hangup", "expected the call to end by hangup\n    actual: call_back"),
    ],
    ids=["flow", "tries", "ending"],
)
def test_a_wrong_callback_expectation_fails(folder: Path, expect: str, problem: str) -> None:
    steps = f"    steps:\n      - press: 1\n        {expect}\n"
    text = f"flow: line.yaml\nscenarios:\n  - name: x\n{steps}"
    (failure,), _ = run(folder, text)
    assert failure is not None and problem in failure


def test_no_callback_to_place_is_a_clear_error(folder: Path) -> None:
    text = "flow: callback.yaml\nscenarios:\n  - name: x\n    steps:\n      - callback: answered\n"
    (failure,), _ = run(folder, text)
    assert failure is not None and "the call already ended" not in failure
    assert "cannot go on: no callback is waiting to be placed" in failure
    with pytest.raises(ScenarioFileError, match="'callback' is one of: answered"):
        run(folder, text.replace("answered", "maybe"))
    with pytest.raises(InputError, match="not how a callback call ends"):
        caller_input.parse("callback:later", None)


def test_the_simulated_callback_call_comes_from_the_dialled_number(folder: Path) -> None:
    graph = Flows(folder).get("line")
    call = Call(graph, Flows(folder), NOW, caller="+15551110001", to="+15550001111")
    call.begin()
    call.answer(caller_input.parse("1", call.wait))
    assert call.ended == "call_back" and call.wait is None
    turn = call.answer(caller_input.parse("callback:answered", None))
    assert turn.flow == "callback" and call.base["To"] == "+15551110001"
    assert call.base["From"] == "+15550001111" and call.base["Direction"] == "outbound-api"
    with pytest.raises(SimulationError, match="no callback"):
        call.answer(caller_input.parse("callback:answered", None))


def test_the_json_schema_knows_callback_steps(folder: Path) -> None:
    path = folder / "line_test.yaml"
    path.write_text(SCENARIOS % GIVE_UP, encoding="utf-8")
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    validator = Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(load_file(str(path)).data)] == []
    bad = {"scenarios": [{"name": "x", "steps": [{"press": 1, "callback": "answered"}]}]}
    assert not validator.is_valid(bad)
