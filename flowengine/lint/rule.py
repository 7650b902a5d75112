"""What a lint rule is, and what it sees of one flow file while it checks it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.graph import Graph
from flowengine.flow.loader import Document, KeyPath
from flowengine.lint.project import directory_of

if TYPE_CHECKING:
    from flowengine.lint.project import Project

Check = Callable[["FlowContext"], Iterator[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """One rule: a stable code and kebab-case name, its documentation, and its check.

    `check` is None for the problems the loader, the schema or the compiler report
    themselves: those rules are in the table so that they can be selected, ignored
    and documented like every other one.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    passing: str
    failing: str
    details: str = ""
    check: Check | None = None
    needs_graph: bool = False
    stage: str = "lint"  # yaml, schema, compile, lint or filter (ignore comments)


@dataclass
class FlowContext:
    """One flow file as the rules see it: its document, its graph (when it compiled),
    and the other flows of its folder."""

    doc: Document
    graph: Graph | None
    project: Project
    use_environ: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    folder: str | None = None  # where its hand-overs find flows (default: its own folder)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.doc.data
        return data

    @property
    def channel(self) -> str:
        return str(self.data.get("channel", "voice"))

    @property
    def directory(self) -> str:
        return directory_of(self.doc.path) if self.folder is None else self.folder

    @cached_property
    def lines(self) -> list[str]:
        return self.doc.source.splitlines()

    def offset(self, path: KeyPath, needle: str, *, key: bool = False) -> int:
        """How far along its line `needle` stands from the start of the node at `path`."""
        line, column = self.doc.position(path, key=key)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        found = text.find(needle, column - 1)
        return found - (column - 1) if found >= 0 else 0

    def problem(
        self,
        rule: Rule,
        path: KeyPath,
        message: str,
        *,
        key: bool = False,
        hint: str = "",
        severity: Severity | None = None,
        offset: int = 0,
    ) -> Diagnostic:
        """A diagnostic at the value (or key) at `path`; `offset` moves it along the line."""
        line, column = self.doc.position(path, key=key)
        return Diagnostic(
            self.doc.path,
            line,
            column + offset,
            rule.code,
            rule.name,
            message,
            severity or rule.severity,
            hint,
        )
