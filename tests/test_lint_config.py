"""[tool.flowengine.lint] in pyproject.toml: found by walking up, merged with the flags."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from flowengine.commands import lint as command

FIXTURES = Path(__file__).parent / "flows" / "lint"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with flows/ holding one error (FE208) and one warning (FE202)."""
    flows = tmp_path / "flows"
    (flows / "legacy").mkdir(parents=True)
    shutil.copy(FIXTURES / "fe208-unknown-voice.fail.yaml", flows / "voice.yaml")
    shutil.copy(FIXTURES / "fe202-dead-end.fail.yaml", flows / "legacy" / "old.yaml")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # the config is found by walking up
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def configure(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[tool.flowengine.lint]\n{body}", encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    code = command.run(parser.parse_args(argv))
    out, err = capsys.readouterr()
    try:
        codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    except json.JSONDecodeError:
        codes = []
    return code, codes, err or out


def test_without_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--format", "json", "../flows"], capsys)[:2] == (1, ["FE202", "FE208"])


def test_select_ignore_and_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(project, 'format = "json"\nignore = ["unknown-voice"]\n')
    assert run(["../flows"], capsys)[:2] == (0, ["FE202"])
    configure(project, 'format = "json"\nselect = ["FE208"]\n')
    assert run(["../flows"], capsys)[:2] == (1, ["FE208"])


def test_strict(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(project, 'format = "json"\nstrict = true\nignore = ["FE208"]\n')
    assert run(["../flows"], capsys)[:2] == (1, ["FE202"])


def test_flags_win_over_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(project, 'format = "github"\nselect = ["FE208"]\n')
    assert run(["--format", "json", "--select", "FE202", "../flows"], capsys)[:2] == (0, ["FE202"])
    # --ignore adds to the configured ignore list
    configure(project, 'format = "json"\nignore = ["FE208"]\n')
    assert run(["--ignore", "dead-end", "../flows"], capsys)[:2] == (0, [])
    assert run(["--no-config", "--format", "json", "../flows"], capsys)[:2] == (
        1,
        ["FE202", "FE208"],
    )


def test_per_file_ignores(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(
        project,
        'format = "json"\n'
        "[tool.flowengine.lint.per-file-ignores]\n"
        '"flows/legacy/*" = ["dead-end"]\n',
    )
    assert run(["../flows"], capsys)[:2] == (1, ["FE208"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('colour = "always"\n', "unknown key 'colour'"),
        ('select = ["FE9"]\n', "unknown rule 'FE9'"),
        ('format = "xml"\n', "format must be one of auto, text, json, github, sarif"),
        ("select = 3\n", "select must be a list of rule codes or names"),
        ("select = [\n", "pyproject.toml: "),
    ],
    ids=["unknown-key", "unknown-rule", "bad-format", "bad-type", "bad-toml"],
)
def test_a_bad_config_is_a_usage_error(
    project: Path, body: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(project, body)
    code, _, err = run(["../flows"], capsys)
    assert code == 2
    assert err.startswith("flowengine lint: ") and message in err
