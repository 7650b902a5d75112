"""FE141 split-weights, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.SPLIT_WEIGHTS.code,
    name=codes.SPLIT_WEIGHTS.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="The shares of a split do not add up to 100 percent.",
    details=(
        "A split sends each call down one branch; its shares are percentages of all calls, "
        "so together they must be exactly 100."
    ),
    passing="""\
start: greeting
states:
  greeting:
    split: {new_greeting: 20, old_greeting: 80}
  new_greeting:
    say: Hello and welcome!
    hangup: true
  old_greeting:
    say: Thank you for calling.
    hangup: true
""",
    failing="""\
start: greeting
states:
  greeting:
    split: {new_greeting: 20, old_greeting: 70}
  new_greeting:
    say: Hello and welcome!
    hangup: true
  old_greeting:
    say: Thank you for calling.
    hangup: true
""",
)
