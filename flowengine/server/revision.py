"""`flowengine serve --rev REV`: serve the flows folder as it is in a git revision.

Going live is then a deliberate act (a tag, a commit), and rolling back is serving the
previous one: `flowengine serve --rev v12` after `--rev v13`. The files are exported from
git into a private folder, so edits in the working tree never reach the live server.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass


class RevisionError(Exception):
    """The revision or folder cannot be served; the message is for the operator."""


@dataclass(frozen=True)
class Exported:
    flows_dir: str  # where the exported flows are
    commit: str  # the full commit id the revision named


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise RevisionError("--rev needs git, which is not installed")
    return subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=60, check=False)


def export(rev: str, flows_dir: str) -> Exported:
    folder = os.path.abspath(flows_dir)
    start = folder if os.path.isdir(folder) else os.getcwd()
    top = _git(["rev-parse", "--show-toplevel"], start)
    if top.returncode != 0:
        raise RevisionError(f"--rev: {flows_dir} is not inside a git repository")
    root = top.stdout.decode().strip()
    found = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    if found.returncode != 0:
        raise RevisionError(
            f"--rev: '{rev}' is not a revision of {root}: give a tag, a branch or a commit "
            "(git log --oneline shows them)"
        )
    commit = found.stdout.decode().strip()
    relative = os.path.relpath(os.path.realpath(folder), os.path.realpath(root))
    if relative.startswith(".."):
        raise RevisionError(f"--rev: {flows_dir} is outside the repository {root}")
    archive = _git(["archive", "--format=tar", commit, "--", relative], root)
    if archive.returncode != 0:
        raise RevisionError(f"--rev: there is no folder {relative} in revision '{rev}'")
    target = tempfile.mkdtemp(prefix=f"flowengine-{commit[:12]}-")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return Exported(os.path.join(target, relative), commit)
