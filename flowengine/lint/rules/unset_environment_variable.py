"""FE112 unset-environment-variable, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNSET_ENVIRONMENT_VARIABLE.code,
    name=codes.UNSET_ENVIRONMENT_VARIABLE.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A setting reads an environment variable that is not set and has no default.",
    details=(
        "The server refuses to load such a flow. `flowengine lint` reports it only with "
        "--environ (checking against this process's environment, as the server would); "
        "otherwise it reports env-without-default (FE206)."
    ),
    passing="""\
start: sales
settings:
  sales_line: ${SALES_NUMBER:-+15551230001}
states:
  sales:
    dial: "{{ settings.sales_line }}"
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
settings:
  sales_line: ${SALES_NUMBER}
states:
  sales:
    dial: "{{ settings.sales_line }}"
    next: goodbye
  goodbye:
    hangup: true
""",
)
