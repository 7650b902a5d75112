"""FE254 callback-cannot-connect: a call_back names a flow that never connects the caller."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states

# What can bring the called-back caller to someone: an agent's queue, a dial, a bot, or a
# hand-over to a flow (or URL) that does one of these.
CONNECTS = ("dial", "enqueue", "connect", "redirect")


def _problem(ctx: FlowContext, flow: str, own: str) -> str | None:
    """Why the callback call running `flow` cannot connect the caller, or None."""
    if flow == own:
        return f"the callback call would run this flow again ('{flow}')"
    doc = ctx.project.flow(ctx.directory, flow)
    data: Any = doc.data if doc is not None else None
    if not isinstance(data, dict):
        return None  # missing or unreadable: unknown-flow (FE216) or its own file says so
    found = [spec for _, spec in states(data)]
    if flow in ctx.project.wait_flows(ctx.directory) or any("leave" in s for s in found):
        return f"'{flow}' is a queue's wait flow: the callback call is in no queue"
    if not any(key in spec for spec in found for key in CONNECTS):
        return f"'{flow}' never connects the caller: it has no dial, enqueue, connect or redirect"
    return None


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    own = os.path.splitext(os.path.basename(ctx.doc.path))[0]
    for name, spec in states(ctx.data):
        call_back = spec.get("call_back")
        if not isinstance(call_back, dict) or not isinstance(call_back.get("flow"), str):
            continue
        why = _problem(ctx, call_back["flow"], own)
        if why is not None:
            yield ctx.problem(
                RULE,
                ("states", name, "call_back", "flow"),
                f"state '{name}': {why}",
                hint="name a flow that says who is calling and connects the caller, e.g. "
                "with 'enqueue: {queue: support}' or a 'dial' to the agents",
            )


RULE = Rule(
    code="FE254",
    name="callback-cannot-connect",
    severity=Severity.WARNING,
    summary="A call_back names a flow that cannot bring the called-back caller to anyone.",
    details=(
        "The call the server places for a call_back runs the flow it names, as a new call to "
        "the caller. That flow should say who is calling and connect them: an enqueue, a "
        "dial, a connect or a hand-over. A flow with none of these only talks and hangs up; "
        "a queue's wait flow (or the flow that asks for the callback) is not meant for a "
        "call that is in no queue."
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
start: music
states:
  music:
    gather: {digits: 1, say: Press 1 to be called back instead of waiting.}
    on: {"1": call_me_back, "no-input, no-match": give_up}
  call_me_back:
    say: We will call you back when it is your turn.
    call_back: {flow: billing, tries: 3}
  give_up:
    leave: true
""",
)
