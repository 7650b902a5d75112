"""`flowengine serve --rev REV` serves the flows of a git revision: going live and rolling
back are deliberate, and edits in the working tree never reach the live server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flowengine.server import revision
from tests.conftest import TOKEN, free_port, sign

BIN = Path(sys.executable).parent
FLOW = "start: hello\nstates:\n  hello:\n    say: {text}\n    hangup: true\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "ivr"
    (root / "flows").mkdir(parents=True)
    git(root, "init", "-q")
    for tag, text in (("v1", "Version one."), ("v2", "Version two.")):
        (root / "flows" / "main.yaml").write_text(FLOW.format(text=text))
        git(root, "add", "-A")
        git(root, "commit", "-qm", tag)
        git(root, "tag", tag)
    (root / "flows" / "main.yaml").write_text(FLOW.format(text="Not committed."))
    return root


def serve_rev(repo: Path, rev: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "flowengine"), "serve", "flows", "--rev", rev, "--port", str(port),
             "--store", "memory://"],
            cwd=repo, env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN}, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def said(base: str) -> str:
    fields = {"CallSid": "CA" + "7" * 32, "From": "+15551112222", "To": "+15553334444"}
    url = base + "/voice/main"
    response = httpx.post(url, data=fields, headers={"X-Twilio-Signature": sign(url, fields)})
    return response.text


def test_serve_a_tag_then_roll_back_to_the_previous_one(repo: Path, tmp_path: Path) -> None:
    v1 = git(repo, "rev-parse", "v1")
    for rev, text in (("v2", "Version two."), ("v1", "Version one.")):
        process, base = serve_rev(repo, rev, tmp_path / f"{rev}.log")
        try:
            assert text in said(base)
            # the working tree's uncommitted edit is never served, and nothing reloads it
            (repo / "flows" / "main.yaml").write_text(FLOW.format(text="Edited live."))
            time.sleep(1.0)
            assert text in said(base)
        finally:
            process.terminate()
            process.wait(timeout=20)
        log = (tmp_path / f"{rev}.log").read_text()
        line = next(line for line in log.splitlines() if " serving main@" in line)
        assert "reload off" in line
        if rev == "v1":
            assert f"at git revision v1 ({v1[:12]}) on" in line


def test_a_bad_revision_or_folder_is_one_clear_error(repo: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "flowengine"), "serve", "flows", "--rev", "v9", "--port", str(free_port())],
        cwd=repo, env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN}, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"flowengine serve: --rev: 'v9' is not a revision of {repo}: give a tag, a branch or a "
        "commit (git log --oneline shows them)\n"
    )
    (repo / "later").mkdir()
    with pytest.raises(revision.RevisionError) as caught:
        revision.export("v1", str(repo / "later"))
    assert str(caught.value) == "--rev: there is no folder later in revision 'v1'"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(revision.RevisionError) as caught:
        revision.export("v1", str(outside))
    assert str(caught.value) == f"--rev: {outside} is not inside a git repository"
