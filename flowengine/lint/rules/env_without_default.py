"""FE206 env-without-default: a setting reads an environment variable with no default."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.settings import env_references
from flowengine.lint.rule import FlowContext, Rule


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    if ctx.use_environ:
        return  # checked against the real environment: the compiler reports FE112
    for name, value in (ctx.data.get("settings") or {}).items():
        if not isinstance(value, str):
            continue
        for variable, default in env_references(value):
            if default is None:
                path = ("settings", name)
                yield ctx.problem(
                    RULE,
                    path,
                    f"setting '{name}' reads ${{{variable}}}, which has no default: the flow "
                    f"will not load where {variable} is not set",
                    offset=ctx.offset(path, "${" + variable),
                    hint=f"give a default: ${{{variable}:-VALUE}}",
                )


RULE = Rule(
    code="FE206",
    name="env-without-default",
    severity=Severity.WARNING,
    summary="A setting reads an environment variable that has no default.",
    details=(
        "${NAME} without ':-default' makes the flow depend on the server's environment: "
        "where NAME is not set, the server refuses to load the flow (FE112). Give a default "
        "that is safe in development, or run `flowengine lint --environ` in the deployment "
        "environment to check the real values."
    ),
    check=check,
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
