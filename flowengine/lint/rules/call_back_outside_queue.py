"""FE253 call-back-outside-queue: a call_back that only the rate rule can ever place."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules.wait_flow_verb import is_wait_flow
from flowengine.lint.walk import states


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    # The caller's place (the queue and how many callers are ahead) is known only to a
    # queue's wait flow: anywhere else the request waits for the rate rule, one callback
    # every FLOWENGINE_CALLBACK_EVERY seconds, whoever agents take.
    if ctx.channel != "voice" or is_wait_flow(ctx):
        return
    for name, spec in states(ctx.data):
        if "call_back" in spec:
            yield ctx.problem(
                RULE,
                ("states", name, "call_back"),
                f"state '{name}': this flow is not what callers hear in a queue, so the "
                "callback keeps no place in line and is placed only by the rate rule",
                key=True,
                hint="offer the callback in the queue's wait flow (the flow an enqueue names "
                "in 'wait'), or ignore this if callbacks here should just be placed in turn "
                "every FLOWENGINE_CALLBACK_EVERY seconds",
            )


RULE = Rule(
    code="FE253",
    name="call-back-outside-queue",
    severity=Severity.WARNING,
    summary="A call_back in a flow that no queue plays to its callers: it keeps no place in line.",
    details=(
        "A caller who asks for a callback from a queue's wait flow (the flow an enqueue names "
        "in 'wait') keeps their place: the server calls them back when agents have taken the "
        "callers who were ahead of them. Anywhere else the server knows no place, and the "
        "request is placed by the rate rule alone, one callback every "
        "FLOWENGINE_CALLBACK_EVERY seconds whether agents are free or not. That is usually a "
        "call_back put in the wrong flow, or a wait flow that no enqueue names."
    ),
    check=check,
    passing="""\
start: music
states:
  music:
    gather: {digits: 1, say: Press 1 to be called back instead of waiting.}
    on: {"1": call_me_back, "no-input, no-match": give_up}
  call_me_back:
    say: We will call you back when it is your turn.
    call_back: {flow: callback, tries: 3}
  give_up:
    leave: true
""",
    failing="""\
start: menu
states:
  menu:
    gather: {digits: 1, say: Press 1 to be called back.}
    on: {"1": call_me_back}
    retry: {then: call_me_back}
  call_me_back:
    say: We will call you back.
    call_back: {flow: callback, tries: 3}
""",
)
