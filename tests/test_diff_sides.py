"""`flowengine diff` sides that are unusual but real: a pull request that adds the first flows
or deletes the folder, files that are not UTF-8, a revision name in a Markdown code span."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from flowengine.cli import main

FLOW = Path(__file__).parent / "fixtures" / "diff" / "rename" / "old" / "shop.yaml"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A first commit with a README only, then one that adds flows/shop.yaml."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "test@example.com")
    git(tmp_path, "config", "user.name", "Test")
    (tmp_path / "README.md").write_text("menus\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "readme")
    (tmp_path / "flows").mkdir()
    shutil.copy(FLOW, tmp_path / "flows" / "shop.yaml")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "flows")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def statuses(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str]]]:
    code = main(["diff", *args, "--format", "json", "--no-scenarios"])
    out, err = capsys.readouterr()
    assert code != 2, err
    return code, [(f["flow"], f["status"]) for f in json.loads(out)["flows"]]


@pytest.mark.parametrize(
    "args",
    [["HEAD~1", "flows"], ["HEAD~1"], ["HEAD~1", "HEAD"], ["HEAD~1:flows", "HEAD:flows"]],
    ids=["revision-and-folder", "revision-alone", "two-revisions", "revision-paths"],
)
def test_a_base_without_flows_shows_every_flow_added(
    args: list[str], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert statuses(capsys, *args) == (1, [("shop", "added")])
    assert main(["diff", *args, "--no-scenarios"]) == 1
    assert "every flow is added" in capsys.readouterr().err


def test_a_deleted_folder_shows_every_flow_removed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-rq", "flows")
    git(repo, "commit", "-q", "-m", "no flows")
    assert statuses(capsys, "HEAD~1", "HEAD") == (1, [("shop", "removed")])
    assert statuses(capsys, "HEAD~1:flows") == (1, [("shop", "removed")])
    assert main(["diff", "HEAD~1", "HEAD", "--no-scenarios"]) == 1
    assert "every flow is removed" in capsys.readouterr().err


def test_no_flows_on_either_side_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "HEAD:nowhere", "HEAD~1:nowhere"]) == 2
    assert "no flow files" in capsys.readouterr().err


@pytest.mark.parametrize("committed", [False, True], ids=["on-disk", "in-git"])
def test_a_flow_file_that_is_not_utf8_is_an_error_not_a_traceback(
    committed: bool, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin = repo / "flows" / "latin.yaml"
    latin.write_bytes(b"description: caf\xe9\n" + FLOW.read_bytes())
    if committed:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "latin-1")
    old, new = ("HEAD", "HEAD") if committed else ("HEAD~1", "flows")
    assert main(["diff", old, new]) == 2
    err = capsys.readouterr().err
    assert "latin.yaml" in err and "UTF-8" in err


def test_a_revision_in_a_markdown_code_span_is_not_escaped(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-rq", "flows")
    git(repo, "commit", "-q", "-m", "no flows")
    assert main(["diff", "HEAD~1", "HEAD", "--format", "markdown", "--no-scenarios"]) == 1
    out = capsys.readouterr().out
    assert "`HEAD~1:flows/shop.yaml`" in out
    assert "\\~" not in out


def test_an_output_file_that_cannot_be_written_is_exit_2_not_a_traceback(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A crash would exit 1, which the docs' GitHub Actions job reads as "changes".
    target = repo / "no such folder" / "diff.md"
    assert main(["diff", "HEAD~1", "HEAD", "--format", "markdown", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "no such folder" in err
