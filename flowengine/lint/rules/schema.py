"""FE003 schema, reported by the schema validator."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.SCHEMA.code,
    name=codes.SCHEMA.name,
    severity=Severity.ERROR,
    stage="schema",
    summary="The flow does not follow the flow schema (schemas/flow.schema.json).",
    details=(
        "A wrong type, an unknown key, a missing required key or a value outside the "
        "allowed ones. The message names the state and key, and the hint says what to "
        "write instead."
    ),
    passing="""\
start: menu
states:
  menu:
    gather:
      digits: 1
      say: For sales, press 1.
    on:
      "1": sales
      no-input: sales
  sales:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      digits: one
      say: For sales, press 1.
    on:
      "1": sales
      no-input: sales
  sales:
    say: Goodbye.
    hangup: true
""",
)
