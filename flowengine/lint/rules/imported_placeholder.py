"""FE240 imported-placeholder: a state the Studio import wrote in place of a widget."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states

MARKER = "x-studio-unsupported"


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    for name, spec in states(ctx.data):
        what = spec.get(MARKER)
        if what:
            yield ctx.problem(
                RULE,
                ("states", name, MARKER),
                f"state '{name}' stands in for the Studio widget {what}, which flowengine "
                "does not run (the comment above the state and the import report say what "
                "happens instead)",
                key=True,
                hint="rebuild what the widget did with flowengine states, then remove "
                f"'{MARKER}' (the import report says what the widget did)",
            )


RULE = Rule(
    code="FE240",
    name="imported-placeholder",
    severity=Severity.WARNING,
    summary="A state that `flowengine import studio` wrote in place of a widget it cannot map.",
    details=(
        "Studio widgets without a flowengine equivalent (Send to Flex, Capture Payments, "
        "virtual agents, unknown types) are imported as a state that keeps the caller safe: "
        "a short message and a hand-off to the fallback state. The key x-studio-unsupported "
        "names the widget until someone rebuilds it."
    ),
    check=check,
    passing="""\
start: closed
states:
  closed:
    say: We are closed today. Goodbye.
    hangup: true
""",
    failing="""\
start: agent
states:
  agent:
    x-studio-unsupported: to_flex (send-to-flex)
    say: Sorry, this part of our phone menu is not available.
    hangup: true
""",
)
