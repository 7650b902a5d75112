"""FE101 unknown-state, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNKNOWN_STATE.code,
    name=codes.UNKNOWN_STATE.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A target (start, next, on, retry then, switch) names a state that does not exist.",
    details=("The hint suggests the closest state name."),
    passing="""\
start: menu
states:
  menu:
    say: Hello.
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: Hello.
    next: good_bye
  goodbye:
    hangup: true
""",
)
