"""The other version of the flows to replay against: a folder, or a git revision of one."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import Graph


class VersionError(Exception):
    pass


class FlowSet:
    """Flows by name from one folder, each compiled once (None: missing or broken)."""

    def __init__(self, folder: Path, label: str) -> None:
        self.folder = folder
        self.label = label
        self.graphs: dict[str, Graph | None] = {}
        self.problems: dict[str, str] = {}

    def __call__(self, name: str) -> Graph | None:
        if name not in self.graphs:
            graph = None
            for suffix in (".yaml", ".yml"):
                path = self.folder / f"{name}{suffix}"
                if path.is_file():
                    try:
                        graph = load_flow(str(path))
                    except FlowError as exc:
                        self.problems[name] = "; ".join(str(d) for d in exc.diagnostics)
                    break
            self.graphs[name] = graph
        return self.graphs[name]


def from_git(folder: Path, revision: str, scratch: Path) -> FlowSet:
    """`folder` as it was at `revision` in its git repository, written out under `scratch`."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise VersionError(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    prefix = git("rev-parse", "--show-prefix").strip()
    names = git("ls-tree", "--name-only", f"{revision}:{prefix}" if prefix else revision)
    target = scratch / "flows"
    target.mkdir(parents=True, exist_ok=True)
    for name in names.splitlines():
        if name.endswith((".yaml", ".yml")):
            text = git("show", f"{revision}:{prefix}{name}")
            (target / name).write_text(text, encoding="utf-8")
    return FlowSet(target, f"{folder} at {revision}")


def open_flows(spec: str, scratch: str) -> FlowSet:
    """FOLDER, or FOLDER@REVISION (a git revision of that folder)."""
    folder, at, revision = spec.partition("@")
    path = Path(folder or ".")
    if not path.is_dir():
        raise VersionError(f"no such flows folder: {path}")
    if at:
        return from_git(path, revision, Path(scratch))
    return FlowSet(path, str(path))
