"""FE103 template-syntax, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.TEMPLATE_SYNTAX.code,
    name=codes.TEMPLATE_SYNTAX.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A text's template markup ({{ ... }}, {% ... %}) cannot be read.",
    details=(
        "Templates are Liquid: {{ call.from }}, {{ vars.name | upcase }}. Unknown filters"
        " are reported too."
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
    say: "You are calling from {{ call.from }."
    hangup: true
""",
)
