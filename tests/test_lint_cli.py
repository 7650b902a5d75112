"""`flowengine lint` from the command line: formats, exit codes, selection, configuration."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowengine.commands import lint as command
from flowengine.lint.rules import RULES
from tests.conftest import EXAMPLE_FLOWS

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "flows" / "lint"
CLEAN = FIXTURES / "fe202-dead-end.pass.yaml"
WARNING = FIXTURES / "fe202-dead-end.fail.yaml"  # FE202 at 4:3
ERROR = FIXTURES / "fe208-unknown-voice.fail.yaml"  # FE208 at 3:8


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="flowengine lint")
    command.configure(parser)
    code = command.run(parser.parse_args(["--no-config", *argv]))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# -- exit codes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([str(CLEAN)], 0),
        ([str(WARNING)], 0),
        (["--strict", str(WARNING)], 1),
        ([str(ERROR)], 1),
        (["--strict", str(ERROR), str(WARNING)], 1),
        (["--strict", str(CLEAN)], 0),
        ([str(FIXTURES / "missing.yaml")], 2),
        (["--select", "no-such-rule", str(CLEAN)], 2),
        (["--ignore", "FE999", str(CLEAN)], 2),
        (["--explain", "nothing"], 2),
    ],
    ids=[
        "clean",
        "warning",
        "warning-strict",
        "error",
        "error-strict",
        "clean-strict",
        "missing-path",
        "unknown-select",
        "unknown-ignore",
        "unknown-explain",
    ],
)
def test_exit_codes(argv: list[str], expected: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv, capsys)[0] == expected


def test_a_usage_error_says_what_is_wrong_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["nowhere/flows"], capsys)
    assert (code, out) == (2, "")
    assert err == "flowengine lint: nowhere/flows: no such file or folder\n"


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--format", "xml"])
    assert exited.value.code == 2


def test_default_path_is_flows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A copy of the example line as ./flows: the repository's own flows/ are the users'.
    shutil.copytree(EXAMPLE_FLOWS, tmp_path / "flows")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run([], capsys)
    assert code == 0
    count = len(list((EXAMPLE_FLOWS).glob("*.yaml")))
    assert count > 0 and out.splitlines()[-1] == f"All {count} files passed"


def test_the_shipped_flows_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", str(EXAMPLE_FLOWS)], capsys)
    assert code == 0
    assert json.loads(out)["summary"]["errors"] == 0


# -- formats ----------------------------------------------------------------------------


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "text", str(WARNING), str(CLEAN)], capsys)
    assert code == 0
    assert out == (
        f"{WARNING}:4:3: FE202 after state 'goodbye' the call just stops: nothing says where "
        "to go next (dead-end)\n"
        "    hint: add 'next: STATE', a last branch without 'when', or end with 'hangup: true'\n"
        "Found 0 errors and 1 warning in 1 file (2 checked)\n"
    )


def test_text_format_when_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(CLEAN)], capsys)[1] == "All 1 file passed\n"
    assert run([str(CLEAN), str(ERROR.with_name("fe208-unknown-voice.pass.yaml"))], capsys)[1] == (
        "All 2 files passed\n"
    )


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", str(ERROR), str(WARNING)], capsys)
    data = json.loads(out)
    assert code == 1
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 1}
    first = data["diagnostics"][0]
    assert first == {
        "path": str(WARNING),
        "line": 4,
        "column": 3,
        "code": "FE202",
        "name": "dead-end",
        "severity": "warning",
        "message": "after state 'goodbye' the call just stops: nothing says where to go next",
        "hint": "add 'next: STATE', a last branch without 'when', or end with 'hangup: true'",
    }
    assert (data["diagnostics"][1]["code"], data["diagnostics"][1]["severity"]) == (
        "FE208",
        "error",
    )


ANNOTATION = re.compile(
    r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=(FE\d{3}) ([a-z-]+)::(.+)$"
)


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "github", str(ERROR), str(WARNING)], capsys)
    lines = out.splitlines()
    assert code == 1
    found = [ANNOTATION.match(line) for line in lines[:2]]
    assert all(found)
    assert [m.groups()[:6] for m in found if m] == [
        ("warning", str(WARNING), "4", "3", "FE202", "dead-end"),
        ("error", str(ERROR), "3", "8", "FE208", "unknown-voice"),
    ]
    assert lines[1].endswith(
        "::'Polly.Joana' is not a voice Twilio knows%0Adid you mean 'Polly.Joanna'?"
    )
    assert lines[2] == "Found 1 error and 1 warning in 2 files (2 checked)"


def test_auto_format_is_github_in_github_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([str(ERROR)], capsys)[1].startswith(f"{ERROR}:3:8: FE208 ")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run([str(ERROR)], capsys)[1].startswith(f"::error file={ERROR},line=3,col=8,")
    assert run(["--format", "text", str(ERROR)], capsys)[1].startswith(f"{ERROR}:3:8: ")


def test_sarif_format(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    relative = ERROR.relative_to(ROOT)
    code, out, _ = run(["--format", "sarif", str(relative), str(WARNING)], capsys)
    log = json.loads(out)
    assert code == 1
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (only,) = log["runs"]
    driver = only["tool"]["driver"]
    assert driver["name"] == "flowengine"
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in RULES]
    assert [r["name"] for r in driver["rules"]] == [rule.name for rule in RULES]
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in driver["rules"])
    results = only["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("FE202", "warning"),
        ("FE208", "error"),
    ]
    second = results[1]
    assert driver["rules"][second["ruleIndex"]]["id"] == "FE208"
    assert second["message"]["text"].startswith("'Polly.Joana' is not a voice Twilio knows")
    (location,) = second["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": relative.as_posix()},
        "region": {"startLine": 3, "startColumn": 8},
    }
    first_uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert first_uri == WARNING.relative_to(ROOT).as_posix()  # absolute paths made relative


# -- selection ---------------------------------------------------------------------------

BOTH = [str(ERROR), str(WARNING)]


@pytest.mark.parametrize(
    ("argv", "codes"),
    [
        (["--select", "FE208"], ["FE208"]),
        (["--select", "unknown-voice"], ["FE208"]),
        (["--select", "FE208,dead-end"], ["FE202", "FE208"]),
        (["--select", "FE208", "--select", "FE202"], ["FE202", "FE208"]),
        (["--select", "FE2"], ["FE202", "FE208"]),
        (["--select", "FE1"], []),
        (["--ignore", "FE208"], ["FE202"]),
        (["--ignore", "dead-end"], ["FE208"]),
        (["--ignore", "dead-end", "--ignore", "unknown-voice"], []),
        (["--select", "FE2", "--ignore", "FE202"], ["FE208"]),
    ],
    ids=lambda value: (
        " ".join(value) if isinstance(value, list) and value and value[0].startswith("--") else None
    ),
)
def test_select_and_ignore(
    argv: list[str], codes: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--format", "json", *argv, *BOTH], capsys)
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == codes
    assert code == (1 if "FE208" in codes else 0)


# -- rule documentation ------------------------------------------------------------------


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--list-rules"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(RULES)
    assert re.match(
        r"^FE202  dead-end +warning  The call just stops",
        lines[[r.code for r in RULES].index("FE202")],
    )


@pytest.mark.parametrize("name", ["FE215", "fe215", "reject-not-first"])
def test_explain(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--explain", name], capsys)
    assert code == 0
    assert out.startswith("## FE215 reject-not-first\n")
    assert "Passing:\n\n```yaml\nstart: screen\n" in out
    assert "Failing:\n\n```yaml\nstart: welcome\n" in out


def test_explain_all_is_the_committed_reference(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--explain", "all"], capsys)
    assert code == 0
    assert out == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


# -- environment -------------------------------------------------------------------------

ENV_FLOW = FIXTURES / "fe206-env-without-default.fail.yaml"


def test_environ_checks_the_real_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SALES_NUMBER", raising=False)
    code, out, _ = run(["--format", "json", str(ENV_FLOW)], capsys)
    assert (code, [d["code"] for d in json.loads(out)["diagnostics"]]) == (0, ["FE206"])
    code, out, _ = run(["--format", "json", "--environ", str(ENV_FLOW)], capsys)
    assert (code, [d["code"] for d in json.loads(out)["diagnostics"]]) == (1, ["FE112"])
    monkeypatch.setenv("SALES_NUMBER", "+15551230009")
    assert run(["--environ", str(ENV_FLOW)], capsys)[:2] == (0, "All 1 file passed\n")


# -- through the real entry points -------------------------------------------------------


def test_through_flowengine_cli_main(capsys: pytest.CaptureFixture[str]) -> None:
    from flowengine.cli import main

    assert main(["lint", "--list-rules"]) == 0
    capsys.readouterr()
    assert main(["lint", "--no-config", "--format", "text", str(ERROR)]) == 1
    assert capsys.readouterr().out.startswith(f"{ERROR}:3:8: FE208 ")


def flowengine_command() -> list[str]:
    found = shutil.which("flowengine", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "flowengine"]


def test_the_pre_commit_hook_runs_its_entry_on_the_files(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "flowengine-lint"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["flowengine", "lint"]
    argv = [*flowengine_command(), *entry[1:], *hook.get("args", [])]
    # pre-commit passes the changed files; from a folder without a pyproject config.
    ok = subprocess.run([*argv, str(CLEAN)], cwd=tmp_path, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, "All 1 file passed\n")
    bad = subprocess.run(
        [*argv, str(ERROR), str(CLEAN)], cwd=tmp_path, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"{ERROR}:3:8: FE208 'Polly.Joana' is not a voice Twilio knows")
