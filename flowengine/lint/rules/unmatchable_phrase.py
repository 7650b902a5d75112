"""FE111 unmatchable-phrase, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNMATCHABLE_PHRASE.code,
    name=codes.UNMATCHABLE_PHRASE.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A spoken option in 'on' has no words left once punctuation is removed.",
    details=(
        "Speech is matched on words (case and punctuation ignored), so an option made "
        "only of punctuation can never match."
    ),
    passing="""\
start: menu
states:
  menu:
    gather:
      say: Say yes or no.
    on:
      "yes": goodbye
      "no": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      say: Say yes or no.
    on:
      "yes": goodbye
      "?!": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
)
