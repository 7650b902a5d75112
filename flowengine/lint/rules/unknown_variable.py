"""FE104 unknown-variable, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNKNOWN_VARIABLE.code,
    name=codes.UNKNOWN_VARIABLE.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A template or condition reads a variable that does not exist.",
    details=(
        "Variables start with call. (what Twilio sends: call.from, call.digits, ...), "
        "vars. (values the flow sets), settings. or language. Reading vars.NAME that no "
        "state ever sets is a warning: it is empty unless another flow set it before "
        "handing the call over."
    ),
    passing="""\
start: menu
states:
  menu:
    say: "You are calling from {{ call.from }}."
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: "You are calling from {{ call.caller }}."
    hangup: true
""",
)
