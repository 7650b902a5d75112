"""FE102 unknown-setting, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNKNOWN_SETTING.code,
    name=codes.UNKNOWN_SETTING.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A template or condition reads settings.NAME, and there is no such setting.",
    details=("Add the setting under 'settings' at the top of the flow, or fix the name."),
    passing="""\
start: sales
settings:
  sales_line: "+15551230001"
states:
  sales:
    dial: {number: "{{ settings.sales_line }}", caller_id: "{{ settings.sales_line }}"}
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
settings:
  sales_line: "+15551230001"
states:
  sales:
    dial: {number: "{{ settings.sale_line }}", caller_id: "{{ settings.sales_line }}"}
    next: goodbye
  goodbye:
    hangup: true
""",
)
