"""Stepping on after a fetch: the one way every front end feeds a fetch's answer back.

The answer to Twilio is the prompts played before the fetch followed by what the flow
did with the result, as one document; texts and the trace of both steps are kept.
"""

from __future__ import annotations

from datetime import datetime

from flowengine.flow.graph import Graph
from flowengine.runtime import effects
from flowengine.runtime.effects import FetchRequest, FetchResult
from flowengine.runtime.interpreter import Event, StepResult, step


def resume(
    graph: Graph,
    before: StepResult,
    request: FetchRequest,
    answer: FetchResult,
    now: datetime | None = None,
    splits: dict[str, str] | None = None,
) -> StepResult:
    params = {"CallSid": before.session.key}
    event = Event("fetch", params, request.state, result=answer, splits=splits or {})
    after = step(graph, before.session, event, now)
    after.twiml = effects.join(before.twiml, after.twiml)
    after.messages = [*before.messages, *after.messages]
    after.trace = [*before.trace, *after.trace]
    after.answers = [*before.answers, *after.answers]
    return after
