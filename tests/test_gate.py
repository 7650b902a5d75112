"""One gate for `serve`, `simulate` and `test`: the project's lint configuration decides
what an error rule may block, compile errors always do, and the refusal reads the same."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from flowengine.commands import lint as lint_command
from flowengine.commands import scenarios as test_command
from flowengine.commands import serve
from flowengine.commands import simulate as simulate_command
from flowengine.flow.files import flow_files, flow_name
from flowengine.server.registry import Registry
from tests.conftest import ServerProcess

NEW_VOICE = (
    "start: hello\n"
    "voice: Polly.Brandnew-Generative\n"
    "states:\n"
    "  hello:\n"
    "    say: Hello\n"
    "    hangup: true\n"
)
IGNORE_VOICE = '[tool.flowengine.lint]\nignore = ["unknown-voice"]\n'
SCENARIO = (
    "flow: ../flows/main.yaml\nscenarios:\n  - name: greets\n    steps:\n      - hear: Hello\n"
)


def command(module: object, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    module.configure(parser)  # type: ignore[attr-defined]
    return int(module.run(parser.parse_args(list(argv))))  # type: ignore[attr-defined]


def project(tmp_path: Path, pyproject: str | None) -> Path:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main.yaml").write_text(NEW_VOICE)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "main.yaml").write_text(SCENARIO)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    return flows


def test_a_rule_the_project_ignores_does_not_block_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = project(tmp_path, IGNORE_VOICE)
    monkeypatch.chdir(tmp_path)
    assert command(lint_command, "flows") == 0
    registry = Registry(flows, environ={})
    registry.load_all()
    assert list(registry.live) == ["main"] and not registry.failures
    assert command(simulate_command, str(flows / "main.yaml"), "--inputs", "") == 0
    assert command(test_command) == 0
    capsys.readouterr()


def test_without_the_ignore_every_front_end_refuses_with_the_same_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = project(tmp_path, None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    assert command(lint_command, "flows", "--format", "text") == 1
    linted = [line for line in capsys.readouterr().out.splitlines() if "FE" in line]
    assert len(linted) == 1 and "unknown-voice" in linted[0]
    assert serve.main([str(flows)]) == 1
    served = capsys.readouterr().err
    assert command(simulate_command, str(flows / "main.yaml"), "--inputs", "") == 3
    simulated = capsys.readouterr().err
    assert command(test_command) == 3
    tested = capsys.readouterr().out
    diagnostic = linted[0].replace("flows/main.yaml", str(flows / "main.yaml"))
    assert f"  {diagnostic}\n" in served
    assert simulated.startswith(diagnostic + "\n")
    assert f"the flow does not load:\n{linted[0]}\n" in tested
    assert "0 passed, 1 failed" in tested


def test_serve_prints_a_refused_flow_at_start_up_beside_the_good_ones(
    tmp_path: Path, start_server: Callable[..., ServerProcess]
) -> None:
    flows = project(tmp_path, None)
    (flows / "good.yaml").write_text("start: a\nstates:\n  a: {say: Hi, hangup: true}\n")
    server = start_server(flows, "memory://", extra=("--no-reload",))
    assert server.health()["failed"]["main"]["path"] == str(flows / "main.yaml")  # type: ignore[index]
    # Printed for the operator, indented under its heading (the log line has no indent).
    printed = f"flow main not loaded:\n  {flows / 'main.yaml'}:2:8: FE208 "
    assert printed in server.log.read_text()


def test_a_broken_project_configuration_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = project(tmp_path, '[tool.flowengine.lint]\nignore = ["no-such-rule"]\n')
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    assert serve.main([str(flows)]) == 1
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err
    assert command(simulate_command, str(flows / "main.yaml"), "--inputs", "") == 2
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err


def test_one_finder_for_the_flow_files_of_a_folder(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "a.yaml", ".hidden.yaml", "notes.txt", ".yaml"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub.yaml").mkdir()
    assert flow_files(tmp_path) == {"a": tmp_path / "a.yaml", "b": tmp_path / "b.yaml"}
    assert [flow_name(n) for n in ("x.yml", ".x.yaml", "x.json", "dir/y.yaml")] == [
        "x",
        None,
        None,
        "y",
    ]
    assert flow_files(tmp_path / "missing") == {}
