"""FE004 one-action, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.ONE_ACTION.code,
    name=codes.ONE_ACTION.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A state has more than one action (gather, dial, record, ...).",
    details=(
        "A state says its prompts and then does one thing. Move the second action into a "
        "state of its own and go there with 'next'."
    ),
    passing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    hangup: true
""",
)
