"""`# flowengine: ignore[rule]` comments: on a line, before a line, on a state's name line;
reported when they silence nothing; honoured by the server's gate as by the linter."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from flowengine.commands import lint as lint_command
from flowengine.lint import Options, lint_paths
from flowengine.server.registry import Registry

NUMBERS = """\
start: transfer
states:
  transfer:{here}
    dial:
      numbers: ["5551230001", "5551230002"]{line}
    on:
      completed, busy, no-answer, failed, canceled: bye
  bye:
    say: "Call 5551230003 any time."
    hangup: true
"""


def found(tmp_path: Path, text: str, options: Options | None = None) -> list[tuple[str, int]]:
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    return [(d.code, d.line) for d in lint_paths([str(path)], options).diagnostics]


def test_without_comments_every_finding_shows(tmp_path: Path) -> None:
    assert found(tmp_path, NUMBERS.format(here="", line="")) == [("FE207", 5), ("FE207", 5)]


def test_a_comment_at_the_end_of_a_line_silences_that_rule_on_that_line(tmp_path: Path) -> None:
    text = NUMBERS.format(here="", line="  # flowengine: ignore[non-e164]")
    assert found(tmp_path, text) == []


def test_a_comment_on_its_own_line_covers_the_next_line(tmp_path: Path) -> None:
    text = NUMBERS.format(here="", line="").replace(
        "      numbers:", "      # flowengine: ignore[FE207]\n      numbers:"
    )
    assert found(tmp_path, text) == []


def test_a_comment_on_a_state_name_covers_that_state_only(tmp_path: Path) -> None:
    text = NUMBERS.format(here="  # flowengine: ignore[non-e164]", line="")
    assert found(tmp_path, text) == []
    elsewhere = text.replace('"Call 5551230003 any time."', '"{{ settings.n }}"').replace(
        "start: transfer", "start: transfer\nsettings: {n: '5551230003'}"
    )
    assert found(tmp_path, elsewhere) == [("FE207", 2)]


def test_a_comment_for_another_rule_silences_nothing_and_says_so(tmp_path: Path) -> None:
    text = NUMBERS.format(here="", line="  # flowengine: ignore[dead-end]")
    assert found(tmp_path, text) == [("FE207", 5), ("FE207", 5), ("FE290", 5)]
    misspelt = NUMBERS.format(here="", line="  # flowengine: ignore[non-e614]")
    path = tmp_path / "flow.yaml"
    path.write_text(misspelt, encoding="utf-8")
    unused = [d for d in lint_paths([str(path)]).diagnostics if d.code == "FE290"]
    assert [str(d).split("\n")[0] for d in unused] == [
        f"{path}:5:46: FE290 'non-e614' is not a rule: this ignore comment silences nothing "
        "(unused-ignore)"
    ]


def test_a_comment_about_a_rule_that_did_not_run_is_not_unused(tmp_path: Path) -> None:
    text = NUMBERS.format(here="", line="  # flowengine: ignore[dead-end]")
    assert found(tmp_path, text, Options(ignore=frozenset({"FE202"}))) == [
        ("FE207", 5),
        ("FE207", 5),
    ]


def test_a_hash_inside_quotes_is_text_not_a_comment(tmp_path: Path) -> None:
    text = NUMBERS.format(here="", line="").replace(
        "Call 5551230003 any time.", "Press # flowengine: ignore[unknown-variable] {{ vars.x }}"
    )
    assert ("FE104", 9) in found(tmp_path, text)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    lint_command.configure(parser)
    return lint_command.run(parser.parse_args(["--no-config", "--format", "text", *argv]))


def test_strict_fails_on_a_comment_that_silences_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(NUMBERS.format(here="  # flowengine: ignore[non-e164, dead-end]", line=""))
    assert run([str(path)]) == 0
    assert run(["--strict", str(path)]) == 0  # non-e164 is used: the comment counts
    path.write_text(
        NUMBERS.format(here="  # flowengine: ignore[dead-end]", line="")
        .replace("5551230001", "+15551230001")
        .replace("5551230002", "+15551230002")
        .replace("5551230003", "+15551230003")
    )
    assert run([str(path)]) == 0
    assert run(["--strict", str(path)]) == 1
    assert "FE290 this ignore comment silences nothing" in capsys.readouterr().out


NEW_VOICE = (
    "start: hello\nvoice: Polly.Brandnew-Generative{comment}\n"
    "states:\n  hello:\n    say: Hello\n    hangup: true\n"
)


def test_the_server_honours_the_comment(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(NEW_VOICE.format(comment=""))
    registry = Registry(tmp_path, environ={})
    registry.load_all()
    assert registry.failures["main"].diagnostics[0].code == "FE208"
    (tmp_path / "main.yaml").write_text(
        NEW_VOICE.format(comment="  # flowengine: ignore[unknown-voice]")
    )
    registry = Registry(tmp_path, environ={})
    registry.load_all()
    assert list(registry.live) == ["main"] and not registry.failures
