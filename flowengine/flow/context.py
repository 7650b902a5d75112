"""What the compiler's parts (states, verbs, prompts, settings, checks) see of a compile.

The parts receive this Protocol rather than the Compiler itself, so that they depend on
a small typed surface and the compiler module can import them without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from flowengine.diagnostics import Severity
from flowengine.flow.graph import Target
from flowengine.flow.loader import Document, KeyPath
from flowengine.flow.templates import Template


class CompileContext(Protocol):
    doc: Document
    data: dict[str, Any]
    name: str
    environ: Mapping[str, str]
    url_prefix: str
    channel: str
    languages: tuple[str, ...]
    state_names: frozenset[str]
    templates: list[tuple[Template, KeyPath]]
    condition_vars: list[tuple[str, KeyPath]]

    def report(
        self,
        path: KeyPath,
        code: str,
        name: str,
        message: str,
        severity: Severity,
        hint: str = "",
        *,
        key: bool = False,
    ) -> None: ...

    def error(
        self,
        path: KeyPath,
        code: str,
        name: str,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
    ) -> None: ...

    def template(self, text: str, path: KeyPath, *, markup: bool = False) -> Template: ...

    def callback(self, state: str, event: str) -> str: ...

    def entry(self, flow: str, state: str | None = None) -> str: ...

    def voice(self, language: str) -> tuple[str | None, str | None]: ...

    def check_languages(self, table: dict[str, Any], path: KeyPath) -> None: ...

    def target(self, value: Any, path: KeyPath, label: str) -> Target | None: ...

    def sets(self, values: dict[str, Any], path: KeyPath) -> tuple[tuple[str, Any], ...]: ...

    def condition(self, spec: dict[str, Any], path: KeyPath) -> Any: ...
