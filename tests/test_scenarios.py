"""`flowengine test` on the project's own scenarios: all pass, every transition covered."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from flowengine.commands import scenarios as test_command
from flowengine.flow.loader import load_file
from flowengine.scenarios.file import INPUTS
from tests.conftest import EXAMPLE_FLOWS, EXAMPLE_SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((EXAMPLE_SCENARIOS).glob("*.yaml"))
TOTALS = {  # flow: (states, edges)
    "agent": (4, 4),
    "balance": (13, 21),
    "autoreply": (5, 10),
    "hold": (3, 2),
    "main": (12, 20),
    "support": (7, 12),
}


def run_test(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    test_command.configure(parser)
    return test_command.run(parser.parse_args(list(argv)))


@pytest.fixture
def line_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding a copy of the example line as flows/ and scenarios/, the
    folders `flowengine test` looks in by default (the repository's own flows/ are the
    users' to edit: CI checks them with `flowengine test`, the tests do not read them)."""
    shutil.copytree(EXAMPLE_FLOWS, tmp_path / "flows")
    shutil.copytree(EXAMPLE_SCENARIOS, tmp_path / "scenarios")
    for scenario in (tmp_path / "scenarios").glob("*.yaml"):  # they name ../menus/
        scenario.write_text(scenario.read_text().replace("../menus/", "../flows/"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_shipped_scenarios_pass_with_full_coverage(
    line_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_test("--min-coverage", "100") == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    passed = [line for line in out.splitlines() if line.startswith("PASS  scenarios/")]
    assert len(passed) >= 27
    assert out.endswith(f"\n{len(passed)} passed, 0 failed\n")
    for flow, (states, edges) in TOTALS.items():
        line = f"  {flow} (flows/{flow}.yaml): states {states}/{states}, edges {edges}/{edges}"
        assert f"{line}, 100.0%\n" in out
    assert "missed" not in out


def test_every_shipped_flow_has_a_scenario_file() -> None:
    flows = {p.stem for p in (EXAMPLE_FLOWS).glob("*.yaml")}
    assert flows == {p.stem for p in SHIPPED} == set(TOTALS)


def test_json_report(line_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_test("--format", "json", "--min-coverage", "100") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == 0
    assert report["passed"] == len(report["scenarios"])
    assert report["below_min_coverage"] == []
    coverage = {flow["flow"]: flow for flow in report["coverage"]}
    assert set(coverage) == set(TOTALS)
    for name, (states, edges) in TOTALS.items():
        assert coverage[name]["percent"] == 100.0
        assert coverage[name]["states"] == {"covered": states, "total": states, "missed": []}
        assert coverage[name]["edges"] == {"covered": edges, "total": edges, "missed": []}


def test_one_file_reports_only_the_flows_it_reaches(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_test(str(EXAMPLE_SCENARIOS / "agent.yaml"), "--min-coverage", "100") == 0
    out = capsys.readouterr().out
    assert "\nTransition coverage\n  agent (" in out
    assert "main (" not in out


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_files_follow_the_json_schema(path: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(load_file(str(path)).data))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize(
    "data",
    [
        {"scenarios": [{"name": "x", "steps": [{"press": 1, "say": "hi"}]}]},
        {"scenarios": [{"name": "x", "steps": [{"dial": "bsy"}]}]},
        {"scenarios": [{"name": "x", "expect": {"ended": "maybe"}}]},
        {"scenarios": [{"steps": []}]},
        {"flow": "a.yaml", "scenario": []},
    ],
    ids=["two-inputs", "bad-outcome", "bad-ending", "no-name", "misspelt-key"],
)
def test_json_schema_rejects(data: dict[str, object]) -> None:
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    assert not Draft202012Validator(schema).is_valid(data)


BOT = """\
start: bot
states:
  bot:
    connect:
      conversation_relay: {url: "wss://bot.example.com/relay"}
    on: {completed: done, failed: agent}
  agent:
    say: Connecting you to an agent.
    hangup: true
  done:
    hangup: true
"""
BOT_SCENARIOS = """\
flow: bot.yaml
scenarios:
  - name: the bot session ends
    steps:
      - connect: completed
        state: done
  - name: the bot cannot be reached
    steps:
      - connect: failed
        hear: Connecting you to an agent.
        ended: hangup
"""


def test_the_json_schema_knows_every_step_the_runner_accepts() -> None:
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    assert set(INPUTS) <= set(schema["$defs"]["step"]["properties"])


def test_a_scenario_with_connect_steps_validates_and_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    path = tmp_path / "bot_test.yaml"
    path.write_text(BOT_SCENARIOS, encoding="utf-8")
    validator = Draft202012Validator(
        json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    )
    assert [e.message for e in validator.iter_errors(load_file(str(path)).data)] == []
    # The runner accepts what the schema accepts, and both refuse the same mistakes.
    assert run_test(str(path), "--min-coverage", "100") == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    for step in ({"connect": "maybe"}, {"connect": "failed", "press": 1}):
        assert not validator.is_valid({"scenarios": [{"name": "x", "steps": [step]}]})


PARAMS_FLOW = """\
start: transfer
states:
  transfer:
    dial: "+15551230001"
    on:
      completed: check
      busy, no-answer, failed, canceled: done
  check:
    switch:
      - when: {var: call.dial_duration, greater_than: 60}
        next: long
      - next: done
  long:
    say: "That call lasted {{ call.dial_duration }} seconds, status {{ call.status }}."
    hangup: true
  done:
    say: "Goodbye."
    hangup: true
"""

PARAMS_SCENARIOS = """\
flow: main.yaml
scenarios:
  - name: a long transfer is told apart by the fields Twilio posts with the dial result
    steps:
      - dial: completed
        params: {DialCallDuration: 300, CallStatus: completed}
        hear: That call lasted 300 seconds, status completed.
        state: long
  - name: without them the simulated dial lasts no time
    steps:
      - dial: completed
        hear: Goodbye.
  - name: busy
    steps:
      - dial: busy
        params: {CallStatus: in-progress}
        state: done
"""


def test_params_can_be_set_on_any_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.yaml").write_text(PARAMS_FLOW)
    (tmp_path / "case.yaml").write_text(PARAMS_SCENARIOS)
    assert run_test(str(tmp_path / "case.yaml"), "--min-coverage", "100") == 0, (
        capsys.readouterr().out
    )
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())
    errors = list(
        Draft202012Validator(schema).iter_errors(load_file(str(tmp_path / "case.yaml")).data)
    )
    assert [e.message for e in errors] == []
