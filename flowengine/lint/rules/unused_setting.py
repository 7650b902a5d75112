"""FE213 unused-setting: a setting that nothing in the flow reads."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import strings

_READS = re.compile(r"settings\s*(?:\.\s*([A-Za-z0-9_-]+)|\[\s*[\"']([^\"']+)[\"']\s*\])")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    settings = ctx.data.get("settings") or {}
    if not settings:
        return
    used: set[str] = set()
    for key in ("states", "hours"):
        for _, text in strings(ctx.data.get(key)):
            if "settings" in text:
                used.update(a or b for a, b in _READS.findall(text))
    for name in settings:
        if name not in used:
            yield ctx.problem(
                RULE,
                ("settings", name),
                f"setting '{name}' is never used",
                key=True,
                hint=f"use it as {{{{ settings.{name} }}}}, or remove it",
            )


RULE = Rule(
    code="FE213",
    name="unused-setting",
    severity=Severity.WARNING,
    summary="A setting that nothing in the flow reads.",
    details=(
        "No template ({{ settings.NAME }}) and no condition (var: settings.NAME) reads the "
        "setting. Often the value was meant to be used and a literal was written instead."
    ),
    check=check,
    passing="""\
start: sales
settings:
  sales_line: "+15551230001"
states:
  sales:
    dial: "{{ settings.sales_line }}"
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
settings:
  sales_line: "+15551230001"
states:
  sales:
    dial: "+15551230001"
    next: goodbye
  goodbye:
    hangup: true
""",
)
