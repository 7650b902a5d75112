"""The one diagnostic type shared by the loader, compiler, linter and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Code(NamedTuple):
    """A stable problem code and its kebab-case name, e.g. FE101 unknown-state."""

    code: str
    name: str


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at a 1-based line and column of a file.

    Ordered by position so that sorting a list gives the order a reader expects.
    """

    path: str
    line: int
    column: int
    code: str
    name: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str = field(default="", compare=False)
    # The line as written with a caret under the column (YAML syntax errors carry one).
    excerpt: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.code} {self.message} ({self.name})"
        if self.excerpt:
            text += f"\n{self.excerpt}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        """The fields a JSON report carries (lint's JSON output, the studio's pages)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "hint": self.hint,
        }


class FlowError(Exception):
    """Raised when a flow cannot be loaded or compiled; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
