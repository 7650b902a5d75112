"""FE290 unused-ignore: a `# flowengine: ignore[rule]` comment that silences nothing."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.lint.rule import Rule

RULE = Rule(
    code="FE290",
    name="unused-ignore",
    severity=Severity.WARNING,
    stage="filter",
    summary="An ignore comment that silences nothing.",
    details=(
        "`# flowengine: ignore[rule]` accepts one finding in place: at the end of a line "
        "it silences that rule on that line, on a line of its own it covers the next "
        "line, and on a state's name line the whole state. Name rules by name or code, "
        "comma-separated: ignore[dead-end, FE207]. A comment that silences nothing (the "
        "problem was fixed, or the rule name is misspelt) is reported here, so that "
        "--strict keeps the comments honest. The linter and the server both honour the "
        "comments; they cannot silence a compile error."
    ),
    passing="""\
start: menu
states:
  menu:
    say: Thanks for calling.
    next: legacy
  legacy:  # flowengine: ignore[dead-end]
    say: This line is closing; Twilio hangs up after this message.
""",
    failing="""\
start: goodbye
states:
  goodbye:  # flowengine: ignore[dead-end]
    say: Goodbye.
    hangup: true
""",
)
