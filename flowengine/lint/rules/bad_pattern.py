"""FE107 bad-pattern, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.BAD_PATTERN.code,
    name=codes.BAD_PATTERN.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A key pattern in a gather's 'on' (starting with '_') cannot be read.",
    details=(
        "After '_' write digits, * and #, X (any digit), Z (1-9), N (2-9), [1-5] (a "
        "range), . (one or more keys) and ! (any keys)."
    ),
    passing="""\
start: menu
states:
  menu:
    gather:
      say: Enter your extension.
    on:
      _1XX: extension
      no-input: extension
  extension:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      say: Enter your extension.
    on:
      _1YY: extension
      no-input: extension
  extension:
    hangup: true
""",
)
