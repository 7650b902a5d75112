"""FE202 dead-end: the call just stops after a state, without a hangup."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules.whisper_cannot_end import is_whisper


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    if graph.channel != "voice":
        return  # a text conversation may simply end
    for name, state in graph.states.items():
        if state.action == "" and state.next is None:
            reason = f"after state '{name}' the call just stops: nothing says where to go next"
        elif state.action == "switch" and all(case.when is not None for case in state.cases):
            reason = f"when no branch of the switch in '{name}' holds, the call just stops"
        else:
            continue
        # A queue's waiting flow ends on purpose: Twilio asks for it again. A whisper flow
        # ends on purpose too: that is how the called person accepts the call.
        if graph.name in ctx.project.wait_flows(ctx.directory):
            return
        if is_whisper(ctx):
            return
        yield ctx.problem(
            RULE,
            ("states", name),
            reason,
            key=True,
            hint="add 'next: STATE', a last branch without 'when', or end with 'hangup: true'",
        )


RULE = Rule(
    code="FE202",
    name="dead-end",
    severity=Severity.WARNING,
    summary="The call just stops after a state, without a hangup.",
    details=(
        "A voice state with no action and no 'next', or a switch whose branches all have "
        "a 'when', lets the TwiML run out: Twilio hangs up without a goodbye. Say where "
        "to go, or end the call on purpose with 'hangup: true'. Flows played to callers "
        "waiting in a queue (named by an enqueue's 'wait' in the same folder) are exempt: "
        "Twilio asks for them again. So are whisper flows (named by a dial's 'whisper'): "
        "ending is how the called person accepts the call."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: goodbye
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: goodbye
states:
  goodbye:
    say: Goodbye.
""",
)
