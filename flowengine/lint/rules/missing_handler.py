"""FE203 missing-handler: an outcome Twilio can report that the flow does not handle."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.runtime.interpreter import DEFAULT_RETRY

# Results after which the caller is still on the line and needs somewhere to go.
NEEDED = {
    "dial": ("busy", "no-answer", "failed"),
    "enqueue": ("queue-full", "error", "system-error"),
}


def _leaves(ctx: FlowContext, spec: object) -> bool:
    """Whether the enqueue's waiting flow (in the same folder) can send callers back."""
    if not isinstance(spec, dict) or "wait" not in spec:
        return False
    doc = ctx.project.flow(ctx.directory, str(spec["wait"]))
    states = doc.data.get("states") if doc and isinstance(doc.data, dict) else None
    return isinstance(states, dict) and any(
        isinstance(s, dict) and "leave" in s for s in states.values()
    )


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    for name, state in graph.states.items():
        where = ("states", name, state.action)
        if state.action == "gather" and "no-input" not in state.on and state.retry is None:
            yield ctx.problem(
                RULE,
                where,
                f"state '{name}': nothing handles silence; the question is repeated without "
                f"a word and the call is hung up after {DEFAULT_RETRY.max} tries",
                key=True,
                hint="add 'no-input: STATE' under 'on', or a 'retry' with a no-input prompt",
            )
        elif state.action in NEEDED and state.next is None:
            needed = list(NEEDED[state.action])
            if state.action == "enqueue" and _leaves(ctx, ctx.data["states"][name]["enqueue"]):
                needed.append("leave")
            missing = [outcome for outcome in needed if outcome not in state.on]
            if missing:
                yield ctx.problem(
                    RULE,
                    ("states", name, "on") if state.on else where,
                    f"state '{name}': when the {state.action} ends with "
                    f"{', '.join(missing)}, the call is hung up",
                    key=True,
                    hint=f"add '{', '.join(missing)}: STATE' under 'on', or a 'next'",
                )


RULE = Rule(
    code="FE203",
    name="missing-handler",
    severity=Severity.WARNING,
    summary="A waiting verb without a way on for an outcome Twilio can report.",
    details=(
        "A gather needs 'no-input' under 'on' or a 'retry'; a dial without 'next' needs "
        "busy, no-answer and failed under 'on'; an enqueue without 'next' needs queue-full, "
        "error and system-error (and leave, when its waiting flow can leave the queue)."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    on:
      completed: goodbye
      busy, no-answer, failed: goodbye
  goodbye:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    on:
      completed: goodbye
  goodbye:
    say: Goodbye.
    hangup: true
""",
)
