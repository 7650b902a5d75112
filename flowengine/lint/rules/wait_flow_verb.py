"""FE217 wait-flow-verb: a queue's wait flow uses something Twilio's waitUrl TwiML cannot."""

from __future__ import annotations

import os
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states

# Twilio plays a waitUrl document to a caller held in a queue; only these verbs work there:
# Play, Say, Pause, Hangup, Redirect, Leave and Gather.
_REFUSED = {
    "dial": "connect the caller",
    "record": "record",
    "enqueue": "queue the caller again",
    "reject": "reject the call",
    "sms": "send a text (it would go out every time the music starts over)",
}


def is_wait_flow(ctx: FlowContext) -> bool:
    """Named by an enqueue's `wait` in the same folder, or uses `leave` (only a queue's
    wait flow can)."""
    name = os.path.splitext(os.path.basename(ctx.doc.path))[0]
    if name in ctx.project.wait_flows(ctx.directory):
        return True
    return any("leave" in spec for _, spec in states(ctx.data))


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    if ctx.channel != "voice" or not is_wait_flow(ctx):
        return
    for name, spec in states(ctx.data):
        for key, doing in _REFUSED.items():
            if key in spec:
                yield ctx.problem(
                    RULE,
                    ("states", name, key),
                    f"state '{name}': a flow callers hear while they wait in a queue cannot "
                    f"{doing}",
                    key=True,
                    hint="use 'leave: true' to take the caller out of the queue; the flow "
                    "that queued them then decides (its enqueue's 'on: {leave: ...}')",
                )
        redirect = spec.get("redirect")
        if isinstance(redirect, str) or (isinstance(redirect, dict) and "flow" in redirect):
            yield ctx.problem(
                RULE,
                ("states", name, "redirect"),
                f"state '{name}': a flow callers hear while they wait in a queue cannot hand "
                "the call to another flow (the caller is still in the queue)",
                key=True,
                hint="use 'leave: true', and hand the call over from the flow that queued it",
            )


RULE = Rule(
    code="FE217",
    name="wait-flow-verb",
    severity=Severity.ERROR,
    summary="A queue's wait flow does something Twilio cannot do for a caller in a queue.",
    details=(
        "A flow named by an enqueue's 'wait' (or any flow that uses 'leave') is what callers "
        "hear while they wait in a queue. Twilio runs it again and again, and only Play, Say, "
        "Pause, Hangup, Redirect, Leave and Gather work there: no dial, record, enqueue, "
        "reject, text message, or hand-over to another flow."
    ),
    check=check,
    passing="""\
start: music
states:
  music:
    say: "You are number {{ call.queue_position }} in line."
    gather:
      digits: 1
      say: Press 1 to leave a message instead.
    on:
      "1": give_up
      no-input: give_up
  give_up:
    leave: true
""",
    failing="""\
start: music
states:
  music:
    say: Please hold.
    dial: "+15551230001"
    next: give_up
  give_up:
    leave: true
""",
)
