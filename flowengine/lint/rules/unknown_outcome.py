"""FE007 unknown-outcome, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNKNOWN_OUTCOME.code,
    name=codes.UNKNOWN_OUTCOME.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="An 'on' key that is not a result of the state's dial, record or enqueue.",
    details=(
        "Dial reports completed, answered, busy, no-answer, failed and canceled; record "
        "reports recorded and no-recording; enqueue reports bridged, hangup, leave, "
        "queue-full, error and the other queue results."
    ),
    passing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    on:
      busy: goodbye
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    on:
      engaged: goodbye
    next: goodbye
  goodbye:
    hangup: true
""",
)
