"""FE252 whisper-cannot-end: a whisper flow that can keep the called person's leg forever."""

from __future__ import annotations

import os
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule

# On the called person's leg a whisper flow may speak, ask, and end (accept) or hang up
# (decline); these would keep the leg busy elsewhere while the caller waits.
NOT_ON_A_WHISPER = ("dial", "enqueue", "record", "connect", "redirect")


def is_whisper(ctx: FlowContext) -> bool:
    """Named by a dial's `whisper` in the same folder, or marked `whisper: true`."""
    name = os.path.splitext(os.path.basename(ctx.doc.path))[0]
    return ctx.data.get("whisper") is True or name in ctx.project.whisper_flows(ctx.directory)


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    if not is_whisper(ctx):
        return
    ends = {name for name, state in graph.states.items() if state.action == "" and not state.next}
    ends |= {name for name, state in graph.states.items() if state.action in ("hangup", "reject")}
    backwards: dict[str, set[str]] = {name: set() for name in graph.states}
    for edge in graph.edges:
        backwards[edge.target].add(edge.source)
    for name, state in graph.states.items():
        retry = state.retry
        handled = "no-input" in state.on and "no-match" in state.on
        if state.action == "gather" and not handled and (retry is None or retry.then is None):
            ends.add(name)  # retries run out and the runtime hangs up: the leg ends
    can_end, todo = set(), list(ends)
    while todo:
        name = todo.pop()
        if name not in can_end:
            can_end.add(name)
            todo.extend(backwards[name])
    for name, state in graph.states.items():
        if state.action in NOT_ON_A_WHISPER:
            yield ctx.problem(
                RULE,
                ("states", name, state.action),
                f"'{state.action}' in whisper flow '{graph.name}' keeps the called person's "
                "leg busy while the caller waits",
                key=True,
                hint="a whisper flow says who is calling, asks, and ends (accept) or hangs up",
            )
        elif name not in can_end:
            yield ctx.problem(
                RULE,
                ("states", name),
                f"from '{name}' the whisper flow '{graph.name}' never ends: the caller is "
                "never connected",
                key=True,
                hint="end with a state that just speaks (accept) or 'hangup: true' (decline)",
            )


RULE = Rule(
    code="FE252",
    name="whisper-cannot-end",
    severity=Severity.WARNING,
    summary="A whisper flow (run on the called person's phone) can never accept or decline.",
    details=(
        "A dial's 'whisper' flow runs on the called person's leg before the calls are joined. "
        "It must end: running out of things to do accepts the call, 'hangup: true' declines "
        "it (the caller gets the dial's no-answer path). A loop that never ends, or a dial, "
        "queue, recording or hand-over there, leaves the caller waiting."
    ),
    check=check,
    needs_graph=True,
    passing="""\
whisper: true
start: ask
states:
  ask:
    gather: {digits: 1, say: A call from the main line. Press 1 to accept.}
    on: {"1": accept}
    retry: {max: 2, then: decline}
  accept:
    say: Connecting.
  decline:
    hangup: true
""",
    failing="""\
whisper: true
start: ask
states:
  ask:
    gather: {digits: 1, say: A call from the main line. Press 1 to accept.}
    on: {"1": ask, no-input: ask, no-match: ask}
""",
)
