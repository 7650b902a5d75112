"""The flows folder the studio works on: which files it holds, their lint and their graphs.

Every answer is computed from the files on disk when asked (a folder holds a handful of
flows; linting them takes milliseconds), so the pages never show a stale flow.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flowengine.diagnostics import Diagnostic, FlowError, Severity
from flowengine.flow.compiler import compile_document
from flowengine.flow.files import SUFFIXES, flow_files
from flowengine.flow.graph import Graph
from flowengine.flow.loader import Document, load_file, parse
from flowengine.lint.project import Project
from flowengine.lint.runner import Options, lint_document, lint_environ, lint_paths

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class NotFound(Exception):
    """No flow of that name in the folder (or a name that would leave it)."""


@dataclass
class FlowFile:
    name: str
    path: str  # as `flowengine lint FLOWS_DIR` prints it
    text: str
    version: str  # a hash of the bytes on disk: a save checks the file did not change since
    diagnostics: list[Diagnostic] = field(default_factory=list)
    graph: Graph | None = None
    data: Any = None  # the parsed file, when it parses (it may still not compile)
    newline: str = "\n"  # "\r\n" for a file written on Windows
    utf8: bool = True  # False: the bytes are not UTF-8; the studio shows the file, never saves it

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    @property
    def description(self) -> str:
        data = self.data
        return str(data.get("description", "")) if isinstance(data, dict) else ""


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Workspace:
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.root = Path(folder).resolve()

    def names(self) -> list[str]:
        """The flows the studio shows: files of the folder itself (a link out of it is not)."""
        return sorted(name for name, path in flow_files(self.root).items() if self._inside(path))

    def path_of(self, name: str) -> Path:
        """The file of a flow, never a path outside the folder."""
        if not NAME.match(name):
            raise NotFound(name)
        for suffix in SUFFIXES:
            path = self.root / f"{name}{suffix}"
            if self._inside(path):
                return path.resolve()
        raise NotFound(name)

    def _inside(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved.parent == self.root and resolved.is_file()

    def shown_path(self, path: Path) -> str:
        return os.path.join(self.folder, path.name)

    def all(self) -> list[FlowFile]:
        """Every flow, linted together as `flowengine lint FLOWS_DIR` lints them."""
        result = lint_paths([self.folder])
        flows = []
        for name in self.names():
            flow = self.load(name, lint=False)
            flow.diagnostics = [d for d in result.diagnostics if d.path == flow.path]
            flows.append(flow)
        return flows

    def load(self, name: str, *, lint: bool = True) -> FlowFile:
        path = self.path_of(name)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._not_utf8(name, path, raw, lint=lint)
        newline = "\r\n" if "\r\n" in text else "\n"  # a save writes the file's own line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        flow = FlowFile(name, self.shown_path(path), text, version_of(text), newline=newline)
        flow.graph, diagnostics = self.check(flow.path, text)
        try:
            flow.data = parse(text, flow.path).data
        except FlowError:
            flow.data = None
        if lint:
            flow.diagnostics = diagnostics
        return flow

    def _not_utf8(self, name: str, path: Path, raw: bytes, *, lint: bool) -> FlowFile:
        """Shown with the linter's problem, never edited: a save would re-encode the file."""
        text = raw.decode("utf-8", errors="replace")
        flow = FlowFile(name, self.shown_path(path), text, version_of(text), utf8=False)
        try:
            load_file(str(path))
        except FlowError as exc:
            if lint:
                flow.diagnostics = [replace(d, path=flow.path) for d in exc.diagnostics]
        return flow

    def check(self, shown: str, text: str) -> tuple[Graph | None, list[Diagnostic]]:
        """Lint a flow's text as if it were the file `shown`; its graph when it compiles."""
        try:
            doc = parse(text, shown)
        except FlowError as exc:
            return None, exc.diagnostics
        return _graph(doc), sorted(lint_document(doc, Project({shown: doc}), Options()))


def _graph(doc: Document) -> Graph | None:
    graph, _ = compile_document(doc, lint_environ(doc))
    return graph
