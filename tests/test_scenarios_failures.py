"""`flowengine test` on failing scenarios and broken scenario files: messages, exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from flowengine.commands import scenarios as test_command
from tests.conftest import EXAMPLE_FLOWS

HEADER = f"flow: {EXAMPLE_FLOWS / 'main.yaml'}\nat: 2026-03-02T10:00 America/New_York\n"


def run_test(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    test_command.configure(parser)
    return test_command.run(parser.parse_args(list(argv)))


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_failure_shows_expected_beside_the_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "scenarios:\n"  # line 3
        "  - name: French menu\n"
        "    steps:\n"
        "      - press: 1\n"  # line 6
        "        hear: Pour les ventes\n"
        "        state: menu\n",
    )
    assert run_test(str(path)) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"FAIL  {path}:4  French menu\n")
    assert (
        f"step 1 ({path}:6): press 1\n"
        '    expected to hear "Pour les ventes"\n'
        "  transcript:\n"
        "    (the call starts)\n"
        "      Play: https://assets.example.com/acme-chime.mp3\n"
    ) in out
    assert (
        "    > press 1\n"
        "      Say [Polly.Joanna, en-US]: For sales, press 1 or say sales. For support, press 2 "
        "or say support. To speak to the front desk, press 0.\n"
        "      Gather: waiting for keys or speech (1 key)\n"
    ) in out
    assert out.endswith("\n0 passed, 1 failed\n")


@pytest.mark.parametrize(
    ("steps", "expect", "message"),
    [
        ("- press: 1\n  state: sales\n", "", "    expected state: sales\n    actual state:   menu"),
        (
            "- press: 1\n  flow: support\n",
            "",
            "    expected flow: support\n    actual flow:   main",
        ),
        ("- press: 1\n  not_hear: for SALES\n", "", '    expected not to hear "for SALES"'),
        (
            "- press: 1\n  hear: {matches: 'press \\d{2}'}\n",
            "",
            "    expected to hear matches /press \\d{2}/",
        ),
        (
            "- press: 1\n- press: 1\n  dialled: '+15550000000'\n",
            "",
            "    expected to dial +15550000000\n    dialled: +15551230001, +15551230002",
        ),
        (
            "- press: 1\n- press: 1\n  dialled: []\n",
            "",
            "    expected no number to be dialled\n    dialled: +15551230001, +15551230002",
        ),
        (
            "- press: 1\n  vars: {language: fr}\n",
            "",
            "    expected vars.language = 'fr'\n    actual vars.language = 'en'",
        ),
        (
            "- press: 1\n  vars: {mood: happy}\n",
            "",
            "    expected vars.mood = 'happy'\n    actual vars.mood = (not set)",
        ),
        (
            "- press: 1\n  ended: hangup\n",
            "",
            "    expected the call to end by hangup\n    actual: not ended, waiting in main:menu",
        ),
        (
            "- press: 1\n  visits: [after_hours]\n",
            "",
            "    expected to pass through after_hours\n    route: open_check -> menu",
        ),
        (
            "- press: 1\n- dial: busy\n",
            "",
            "    'dial:busy' answers a dial, but the call is waiting on a menu (gather)",
        ),
        (
            "- press: 1\n- press: 1\n- press: 1\n",
            "",
            "    '1' is not an outcome of a dial; choose one of: completed, answered,",
        ),
        ("- hangup: true\n- press: 1\n", "", "    the call already ended (caller-hangup)"),
        (
            "- press: 1\n- press: 0\n- dial: busy\n- record: recorded\n",
            "\n    expect:\n      sms: {to: '+15550000000'}",
            "    expected a text message (to '+15550000000')\n"
            "    sent: to +15550001111: Thanks for calling Acme.",
        ),
    ],
    ids=[
        "state",
        "flow",
        "not-hear",
        "regex",
        "dialled",
        "nothing-dialled",
        "vars",
        "vars-unset",
        "ended",
        "visits",
        "outcome-for-a-menu",
        "keys-for-a-dial",
        "after-the-end",
        "sms",
    ],
)
def test_each_expectation_can_fail(
    steps: str, expect: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    indented = "".join(f"      {line}\n" for line in steps.splitlines())
    path = write(tmp_path, f"scenarios:\n  - name: case\n    steps:\n{indented}{expect}\n")
    assert run_test(str(path)) == 1
    assert message in capsys.readouterr().out


def test_first_step_checks_the_greeting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "scenarios:\n  - name: greeting\n    steps:\n      - hear: Bonjour\n")
    assert run_test(str(path)) == 1
    assert f'step 1 ({path}:6): (the call starts)\n    expected to hear "Bonjour"\n' in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("scenarios:\n  - name: x\n    stpes: []\n", "5:5: unknown key 'stpes' in a scenario"),
        (
            "scenarios:\n  - name: x\n    steps:\n      - press: 1\n        say: hi\n",
            "6:9: one caller action per step, not press and say",
        ),
        (
            "scenarios:\n  - name: x\n    steps:\n      - dial: bsy\n",
            "6:15: 'dial' is one of: completed, answered, busy",
        ),
        (
            "scenarios:\n  - name: x\n    steps:\n      - press: 12a\n",
            "6:16: 'press' takes keys: 0-9, * and #",
        ),
        ("scenarios:\n  - steps: []\n", "4:5: give the scenario a name"),
        (
            "scenarios:\n  - name: x\n    at: tomorrow\n",
            "5:9: 'tomorrow' is not a date and time",
        ),
        (
            "scenarios:\n  - name: x\n    expect: {ended: maybe}\n",
            "5:21: 'ended' is one of: hangup, reject, leave, redirect, completed, caller-hangup",
        ),
        (
            "scenarios:\n  - name: x\n    steps:\n      - hear: {matches: '('}\n",
            "6:25: not a regular expression",
        ),
        (
            "scenarios:\n  - name: x\n    steps:\n      - state: menu\n      - state: menu\n",
            "7:9: a step needs what the caller does",
        ),
        ("scenarios: [\n", "4:1: YAML syntax"),
        ("", "1:1: write the scenarios as a list under 'scenarios:'"),
    ],
    ids=[
        "unknown-key",
        "two-inputs",
        "bad-outcome",
        "bad-keys",
        "no-name",
        "bad-time",
        "bad-ending",
        "bad-regex",
        "step-without-input",
        "yaml-syntax",
        "no-scenarios",
    ],
)
def test_scenario_file_errors_exit_2_with_positions(
    body: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, body)
    assert run_test(str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}:{problem}" in captured.err


def test_missing_flow_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "scenarios:\n  - name: x\n", header="flow: nowhere.yaml\n")
    assert run_test(str(path)) == 2
    assert f"{path}:1:7: no flow file at {tmp_path / 'nowhere.yaml'}\n" == capsys.readouterr().err


def test_coverage_below_minimum_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = f"flow: {EXAMPLE_FLOWS / 'agent.yaml'}\ncaller: +15557770001\n"
    path = write(tmp_path, "scenarios:\n  - name: agent\n", header=header)
    assert run_test(str(path), "--min-coverage", "60") == 1
    out = capsys.readouterr().out
    assert out.startswith(f"PASS  {path}:4  agent\n")
    assert "  agent (" in out
    assert "states 2/4, edges 1/4, 25.0%\n" in out
    assert "    missed state: empty\n    missed state: refuse\n" in out
    assert "    missed edge: check_agent --[otherwise]--> refuse\n" in out
    assert "    missed edge: connect --[completed]--> connect\n" in out
    assert out.endswith("1 passed, 0 failed\ncoverage below 60%: agent 25.0%\n")
    assert run_test(str(path), "--min-coverage", "25") == 0


def test_no_scenarios_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_test() == 2
    assert "no scenarios/ folder here" in capsys.readouterr().err


def test_discovery_lists_untested_flows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "scenarios").mkdir()
    for name in ("hold", "agent"):
        source = (EXAMPLE_FLOWS / f"{name}.yaml").read_text()
        (tmp_path / "flows" / f"{name}.yaml").write_text(source)
    (tmp_path / "scenarios" / "hold.yaml").write_text(
        "flow: ../flows/hold.yaml\nscenarios:\n"
        "  - name: short wait\n    params: {QueueTime: 5}\n"
        "  - name: long wait\n    params: {QueueTime: 900}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert run_test("--min-coverage", "100") == 1
    out = capsys.readouterr().out
    assert "  agent (flows/agent.yaml): states 0/4, edges 0/4, 0.0%\n" in out
    assert "  hold (flows/hold.yaml): states 3/3, edges 2/2, 100.0%\n" in out
    assert out.endswith("coverage below 100%: agent 0.0%\n")


def test_json_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = write(tmp_path, "scenarios:\n  - name: x\n    steps:\n      - hear: nope\n")
    assert run_test(str(path), "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["passed"], report["failed"]) == (0, 1)
    [scenario] = report["scenarios"]
    assert scenario["name"] == "x"
    assert scenario["line"] == 4
    assert (
        scenario["failure"] == f'step 1 ({path}:6): (the call starts)\n    expected to hear "nope"'
    )
