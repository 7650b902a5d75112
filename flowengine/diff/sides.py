"""One side of a diff: a flow file, a folder of flows, or a git revision and path.

A git side is read with `git ls-tree` and `git show` (nothing is checked out), so a diff
against `origin/main` leaves the working tree as it is. `REV:PATH` names a path in the
revision; a revision alone (`HEAD~1`) takes the path of the other side, else `flows`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flowengine.diagnostics import Diagnostic, FlowError
from flowengine.flow.compiler import compile_document
from flowengine.flow.graph import Graph
from flowengine.flow.loader import parse
from flowengine.lint.runner import collect, lint_environ

DEFAULT_FOLDER = "flows"
FLOW_SUFFIXES = (".yaml", ".yml")  # as the linter and the server find flow files


class SideError(Exception):
    """A side that cannot be read or compiled; the message says which and why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass
class Side:
    label: str  # as the user wrote it, for reports
    graphs: dict[str, Graph] = field(default_factory=dict)  # by flow name
    revision: str | None = None
    path: str = ""  # the file or folder, relative to the repository for a git side


def load_side(
    spec: str,
    other: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    may_be_empty: bool = False,
) -> Side:
    """`spec` as the user wrote it; `other` is the other side's spec (for a bare revision).
    A place without flows is an error unless `may_be_empty` (one side of a diff)."""
    if os.path.exists(spec):
        sources = {path: _read(path) for path in collect([spec])}
        side = Side(spec, path=spec)
    else:
        revision, path = _split(spec, other)
        sources = git_sources(revision, path)
        side = Side(spec, revision=revision, path=path)
    if not sources and not may_be_empty:
        raise SideError(f"{spec}: no flow files (*.yaml) there")
    for path, source in sources.items():
        graph = compile_side(source, path, environ)
        if graph.name in side.graphs:
            raise SideError(f"{spec}: two flows are called '{graph.name}'")
        side.graphs[graph.name] = graph
    return side


def load_sides(
    old: str, new: str, environ: Mapping[str, str] | None, *, new_may_be_gone: bool = False
) -> tuple[Side, Side]:
    """Both sides. A side without flows is a pull request that adds the first flows or
    deletes the folder (every flow added or removed); both sides without flows is an error.
    `new_may_be_gone`: NEW was not named, and OLD's path is no longer in the working tree."""
    first = load_side(old, new, environ, may_be_empty=True)
    if new_may_be_gone and not os.path.exists(new):
        second = Side(new, path=new)
    else:
        second = load_side(new, old, environ, may_be_empty=True)
    if not first.graphs and not second.graphs:
        raise SideError(f"{old} and {new}: no flow files (*.yaml) on either side")
    return first, second


def compile_side(source: str, path: str, environ: Mapping[str, str] | None) -> Graph:
    try:
        doc = parse(source, path)
    except FlowError as exc:
        raise SideError(f"{path} cannot be read", exc.diagnostics) from None
    # Settings read from the environment are compared as written; a variable without a
    # default compiles to an empty text unless the caller passes an environment.
    graph, diagnostics = compile_document(doc, lint_environ(doc) if environ is None else environ)
    if graph is None:
        errors = [d for d in diagnostics if d.severity == "error"]
        raise SideError(f"{path} does not compile", errors)
    return graph


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SideError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _split(spec: str, other: str | None) -> tuple[str, str]:
    revision, colon, path = spec.partition(":")
    if colon:
        return revision, path.rstrip("/") or "."
    if other is not None and ":" not in other and os.path.exists(other):
        return revision, _in_repository(other)
    return revision, DEFAULT_FOLDER


def _in_repository(path: str) -> str:
    """A path on disk as git names it from the current folder."""
    return os.path.relpath(path).replace(os.sep, "/")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, encoding="utf-8", check=False
        )
    except FileNotFoundError:
        raise SideError("git is not installed; name files or folders instead") from None
    except UnicodeDecodeError as exc:
        what = args[-1] if args[0] == "show" else " ".join(args)
        raise SideError(f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if done.returncode != 0:
        raise SideError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def git_sources(revision: str, path: str) -> dict[str, str]:
    """The flow files at `path` in `revision`, as `REV:PATH` labels -> text."""
    if not revision:
        raise SideError(f"'{revision}:{path}': name a revision before the colon")
    try:
        _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except SideError:
        raise SideError(f"'{revision}' is not a file, a folder or a git revision here") from None
    top = _full(path)
    listed = _git("ls-tree", "-r", "--name-only", "--full-tree", revision, "--", *[top] * bool(top))
    names = [n for n in listed.splitlines() if n.endswith(FLOW_SUFFIXES)]
    # A single file, or the flows of a folder outside hidden folders.
    names = [top] if top in names else [n for n in names if "/." not in f"/{n[len(top) :]}"]
    return {f"{revision}:{name}": _git("show", f"{revision}:{name}") for name in sorted(names)}


def _full(path: str) -> str:
    """`path` (relative to the current folder) as a path from the repository's top."""
    prefix = _git("rev-parse", "--show-prefix").strip()
    joined = os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
    return "" if joined == "." else joined
