"""FE140 fetch-too-slow, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.FETCH_TOO_SLOW.code,
    name=codes.FETCH_TOO_SLOW.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A fetch's timeout and retry can take longer than Twilio waits for an answer.",
    details=(
        "Twilio gives up on a webhook after 15 seconds (error 11205). A fetch's tries "
        "(timeout x (1 + retry)) must fit in 12 seconds, leaving time for the rest of the "
        "turn. Lower the timeout, drop the retry, or add a filler prompt and keep the "
        "timeout short."
    ),
    passing="""\
start: lookup
states:
  lookup:
    fetch: {url: "https://crm.example.com/customers", timeout: 5, retry: 1}
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: lookup
states:
  lookup:
    fetch: {url: "https://crm.example.com/customers", timeout: 8, retry: 1}
    next: goodbye
  goodbye:
    hangup: true
""",
)
