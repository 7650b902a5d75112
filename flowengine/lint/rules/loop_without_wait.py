"""FE105 loop-without-wait, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.LOOP_WITHOUT_WAIT.code,
    name=codes.LOOP_WITHOUT_WAIT.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="States that go round in a loop without ever waiting for the caller.",
    details=(
        "Twilio would fetch TwiML forever. Make one state of the loop wait (gather, dial,"
        " record, enqueue) or end the call."
    ),
    passing="""\
start: first
states:
  first:
    say: Hello.
    next: second
  second:
    hangup: true
""",
    failing="""\
start: first
states:
  first:
    say: Hello.
    next: second
  second:
    say: Hello again.
    next: first
""",
)
