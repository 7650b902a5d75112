"""Caller-experience figures (`flowengine experience`, `flowengine lint --experience`) and the
too-long-to-hear rule's limits from [tool.flowengine.lint]."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flowengine.cli import main
from flowengine.diff.experience import figures
from flowengine.flow.compiler import compile_source

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
LINT = Path(__file__).parent / "flows" / "lint"

MENUS = """\
start: menu
states:
  menu:
    gather:
      digits: 1
      timeout: 4
      say: For our opening hours, press 1. For the front desk, press 0.
    on:
      "1": hours
      "0": desk
      no-input: desk
  hours:
    gather:
      digits: 1
      say: We are open nine to five. For the address, press 1. For parking, press 2.
    on:
      "1": address
      "2": parking
  address: {say: 12 Harbour Street., hangup: true}
  parking: {say: Park behind the building., hangup: true}
  desk:
    say: Connecting you.
    dial: "+15551230001"
"""


def test_figures_by_hand() -> None:
    found = figures(compile_source(MENUS, "menus.yaml"), rate=120).as_json()
    # menu says 12 words (6 s at 120 a minute); the desk says 2 (1 s).
    assert found["to_a_person"]["shortest"] == {
        "seconds": 7.0,
        "steps": 1,
        "path": ["menu", "desk"],
    }
    # Through silence: the 4 s timeout is counted.
    assert found["to_a_person"]["longest"] == {
        "seconds": 11.0,
        "steps": 1,
        "path": ["menu", "desk"],
    }
    assert found["menu_depth"] == 2
    assert found["menus"] == 2
    assert found["longest_prompt"] == {
        "state": "hours",
        "language": "",
        "seconds": 7.5,
        "words": 15,
    }
    # `hours` leads only to endings: no way back to the menu, no way to a person.
    assert found["menus_without_way_back_or_operator"] == ["hours"]
    assert found["complete"] is True


RETRIES = """\
start: menu
states:
  menu:
    gather:
      digits: 1
      timeout: 4
      say: For the front desk, press 0.
    on:
      "0": desk
    retry:
      max: 3
      no-input: ["Sorry, I did not hear you.", "Please press a key now."]
      then: desk
  desk:
    say: Connecting you.
    dial: "+15551230001"
"""


def test_the_way_through_the_last_retry_by_hand() -> None:
    found = figures(compile_source(RETRIES, "retries.yaml"), rate=120).as_json()
    # As `flowengine simulate --inputs silence,silence,silence` plays it, at 2 words a second:
    # the question (3 s) and 4 s of silence, three times; between them "Sorry, I did not hear
    # you." (3 s) and "Please press a key now." (2.5 s); then "Connecting you." (1 s).
    assert found["to_a_person"]["longest"] == {
        "seconds": 3 * (3 + 4) + 3 + 2.5 + 1,
        "steps": 1,
        "path": ["menu", "desk"],
    }
    assert found["to_a_person"]["shortest"]["seconds"] == 3 + 1


def test_a_menu_with_a_way_back_is_fine() -> None:
    text = MENUS.replace('"2": parking', '"2": parking\n      "9": menu')
    found = figures(compile_source(text, "menus.yaml")).as_json()
    assert found["menus_without_way_back_or_operator"] == []


def test_experience_command_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(FIXTURES / "options" / "old")
    assert main(["experience", folder]) == 0
    out = capsys.readouterr().out
    assert "shortest way to a person     7.6 s, 1 menu" in out
    assert "menu -> desk" in out
    assert main(["lint", "--experience", "--format", "json", folder]) == 0
    (flow,) = json.loads(capsys.readouterr().out)["flows"]
    longest = flow["to_a_person"]["longest"]
    # Sales and support both say four words after the menu: 7.6 + 1.6 s.
    assert (longest["seconds"], longest["steps"]) == (9.2, 1)
    assert longest["path"] in (["menu", "sales"], ["menu", "support"])
    assert main(["experience", folder, "--words-per-minute", "0"]) == 2


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "flows").mkdir()
    shutil.copy(LINT / "fe225-too-long-to-hear.pass.yaml", tmp_path / "flows" / "menu.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint_codes(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, int, int]]]:
    code = main(["lint", "--format", "json", "flows"])
    out = capsys.readouterr().out
    found = [(d["code"], d["line"], d["column"]) for d in json.loads(out)["diagnostics"]]
    return code, found


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("", []),
        ("max-menu-options = 1", [("FE225", 8, 5)]),
        ("max-prompt-seconds = 3", [("FE225", 7, 7)]),  # 8 words: 3.2 s at 150 a minute
        ("max-prompt-seconds = 3\nwords-per-minute = 200", []),  # 2.4 s
    ],
    ids=["defaults", "menu-options", "prompt-seconds", "speaking-rate"],
)
def test_limits_from_the_configuration(
    settings: str,
    expected: list[tuple[str, int, int]],
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.flowengine.lint]\n{settings}\n")
    assert lint_codes(capsys) == (0, expected)


def test_a_bad_limit_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.flowengine.lint]\nmax-menu-options = "five"\n')
    assert main(["lint", "flows"]) == 2
    assert "max-menu-options must be a number above 0" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["empty", "HEAD:nowhere"], ids=["empty-folder", "git-path"])
def test_experience_of_a_place_without_flows_is_an_error(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=T",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "empty",
        ],
        check=True,
    )
    assert main(["experience", where]) == 2
    assert "no flow files" in capsys.readouterr().err
