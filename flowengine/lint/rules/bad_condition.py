"""FE109 bad-condition, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.BAD_CONDITION.code,
    name=codes.BAD_CONDITION.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A switch condition that cannot be used: unknown hours, a bad regular expression, ...",
    details=(
        "Conditions are data: {open: NAME}, {var: NAME, "
        "equals|one_of|matches|contains|starts_with|less_than|greater_than|empty|"
        "before_time|after_time|before_date|after_date: VALUE}, combined with all/any/not. "
        "Times are HH:MM and dates YYYY-MM-DD."
    ),
    passing="""\
start: check
states:
  check:
    switch:
      - when: {var: call.from, matches: '^\\+1'}
        next: goodbye
      - next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: check
states:
  check:
    switch:
      - when: {var: call.from, matches: '^(\\+1'}
        next: goodbye
      - next: goodbye
  goodbye:
    hangup: true
""",
)
