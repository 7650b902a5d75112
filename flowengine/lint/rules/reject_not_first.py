"""FE215 reject-not-first: a reject that only happens after the call was answered."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules.unreachable_state import adjacency, reachable

_SPEAKS = ("say", "play", "pause", "prompts")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    rejects = [name for name, state in graph.states.items() if state.action == "reject"]
    if not rejects:
        return
    specs = ctx.data["states"]

    def silent(name: str) -> bool:
        spec = specs[name]
        return graph.states[name].action in ("", "switch") and not any(k in spec for k in _SPEAKS)

    adjacent = adjacency(ctx)
    quiet = {name: (targets if silent(name) else []) for name, targets in adjacent.items()}
    before_answer = reachable(quiet, [graph.start])
    anywhere = reachable(adjacent, [graph.start])
    for name in rejects:
        speaks = any(key in specs[name] for key in _SPEAKS)
        if name in anywhere and (speaks or name not in before_answer):
            why = "it says something first" if speaks else "every way to it answers the call first"
            yield ctx.problem(
                RULE,
                ("states", name, "reject"),
                f"state '{name}' rejects the call, but {why}: an answered call cannot be "
                "rejected, so Twilio just hangs up (and the call is billed)",
                key=True,
                hint="reject before any say, play, gather or dial, or use 'hangup: true'",
            )


RULE = Rule(
    code="FE215",
    name="reject-not-first",
    severity=Severity.WARNING,
    summary="A reject that can only happen after the call was answered.",
    details=(
        "Reject refuses a call without answering it (and without charge) only as the first "
        "thing the call does. A reject state that speaks, or that every path reaches "
        "through a say, play, gather, dial, record or enqueue, acts as a plain hangup."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: screen
states:
  screen:
    switch:
      - when: {var: call.from, equals: "+15550000666"}
        next: blocked
      - next: welcome
  blocked:
    reject: busy
  welcome:
    say: Welcome.
    hangup: true
""",
    failing="""\
start: welcome
states:
  welcome:
    say: Welcome.
    next: blocked
  blocked:
    reject: busy
""",
)
