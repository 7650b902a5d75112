"""`flowengine diff` with git revisions, in a repository the test creates: both sides from
history, history against the working tree, a single file, from a subfolder; nothing is
checked out and the working tree is left as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from flowengine.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "diff"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits: the old versions of two fixture pairs, then the new versions."""
    root = tmp_path / "repo"
    (root / "flows").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "user.name", "Test")
    for side in ("old", "new"):
        for case, flow in (("options", "line"), ("rename", "shop")):
            shutil.copy(FIXTURES / case / side / f"{flow}.yaml", root / "flows" / f"{flow}.yaml")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", side)
    return root


def diff_json(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, dict]:  # type: ignore[type-arg]
    monkeypatch.chdir(repo)
    code = main(["diff", *args, "--format", "json", "--since", "2026-01-01"])
    out, err = capsys.readouterr()
    assert code != 2, err
    return code, json.loads(out)


def summary(report: dict) -> list[tuple[str, str, list[tuple[str, str | None, str | None]]]]:  # type: ignore[type-arg]
    return [
        (f["flow"], f["status"], [(s["status"], s["old"], s["new"]) for s in f["states"]])
        for f in report["flows"]
    ]


EXPECTED = [
    (
        "line",
        "changed",
        [
            ("changed", "menu", "menu"),
            ("changed", "sales", "sales"),
            ("removed", "promo", None),
            ("changed", "voicemail", "voicemail"),
            ("changed", "thanks", "thanks"),
            ("added", None, "billing"),
        ],
    ),
    ("shop", "changed", [("renamed", "sales", "sales_team")]),
]


@pytest.mark.parametrize(
    "args",
    [
        ["HEAD~1", "HEAD"],
        ["HEAD~1:flows/", "flows"],
        ["main~1"],
        ["HEAD~1:flows", "HEAD:flows/"],
        ["HEAD~1:", "HEAD:"],
    ],
    ids=["two-revisions", "revision-and-folder", "revision-alone", "revision-and-path", "tree"],
)
def test_revisions_compare_like_files(
    args: list[str],
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    code, report = diff_json(repo, capsys, monkeypatch, *args)
    assert code == 1
    assert summary(report) == EXPECTED
    paths = {f["flow"]: f["old_path"] for f in report["flows"]}
    assert paths["line"] == f"{args[0].split(':')[0]}:flows/line.yaml"
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_single_file_at_a_revision(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report = diff_json(repo, capsys, monkeypatch, "HEAD~1:flows/shop.yaml", "flows/shop.yaml")
    assert code == 1
    assert summary(report) == [EXPECTED[1]]


def test_from_a_subfolder_paths_are_relative_to_it(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report = diff_json(repo / "flows", capsys, monkeypatch, "HEAD~1", ".")
    assert code == 1
    assert summary(report) == EXPECTED


def test_uncommitted_changes_are_compared_and_left_in_place(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = repo / "flows" / "shop.yaml"
    edited = shop.read_text().replace("Goodbye.", "Goodbye, and thank you.")
    shop.write_text(edited)
    code, report = diff_json(repo, capsys, monkeypatch, "HEAD")
    assert code == 1
    (flow,) = [f for f in report["flows"] if f["status"] != "unchanged"]
    assert flow["flow"] == "shop"
    assert [(s["new"], c["new"]) for s in flow["states"] for c in s["changes"]] == [
        ("goodbye", "Goodbye, and thank you.")
    ]
    assert shop.read_text() == edited
    assert git(repo, "status", "--porcelain") == " M flows/shop.yaml\n"


def test_the_same_revision_on_both_sides_is_no_change(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert main(["diff", "HEAD", "flows"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("no change to callers")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-branch"], "'no-such-branch' is not a file, a folder or a git revision"),
        (["HEAD~1:nowhere/"], "no flow files"),
    ],
    ids=["unknown-revision", "empty-path"],
)
def test_bad_revisions_exit_2(
    args: list[str],
    message: str,
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repo)
    assert main(["diff", *args]) == 2
    assert message in capsys.readouterr().err
