"""A `call_back` ending in the simulator: what the server would keep, and its call.

On the server the caller hangs up and the request waits in line (server/callbacks.py);
here the transcript names the request, and a scenario may go on into the callback call
(`callback: answered`) or have it not answered (`callback: no-answer`), as often as the
request's `tries` allow.
"""

from __future__ import annotations

from flowengine.flow.graph import CallBack, Graph
from flowengine.runtime.interpreter import StepResult

# How a placed callback call can end for the simulated caller (Twilio's final statuses).
OUTCOMES = ("answered", "no-answer", "busy", "failed", "canceled")


def asked(graph: Graph, result: StepResult) -> CallBack | None:
    """The callback a step asked for: the call ended in a `call_back` state."""
    session = result.session
    if not session.ended or session.outcome != "call_back" or not session.path:
        return None
    state = graph.states.get(session.path[-1])
    return state.call_back if state is not None else None


def describe(wanted: CallBack) -> str:
    calls = "call" if wanted.tries == 1 else "calls"
    return f"Call back: flow '{wanted.flow}', at most {wanted.tries} {calls}"


def not_answered(wanted: CallBack, outcome: str, placed: int) -> str:
    left = wanted.tries - placed
    if left > 0:
        return f"(the callback call is not answered: {outcome}; {left} more at most)"
    return f"(the callback call is not answered: {outcome}; given up after {placed})"


def outbound(base: dict[str, str], sid: str) -> dict[str, str]:
    """The callback call's fields: from the number the caller dialled, to the caller."""
    return (
        base
        | {"CallSid": sid, "From": base["To"], "To": base["From"]}
        | {"Direction": "outbound-api"}
    )
