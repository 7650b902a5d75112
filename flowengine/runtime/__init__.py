"""The one interpreter: step(graph, session, event) -> TwiML, the next session, effects."""

from __future__ import annotations

from flowengine.runtime.interpreter import (
    EVENTS,
    Event,
    FlowRuntimeError,
    OutboundMessage,
    StepResult,
    new_session,
    step,
)
from flowengine.runtime.session import CallSession

__all__ = [
    "EVENTS",
    "CallSession",
    "Event",
    "FlowRuntimeError",
    "OutboundMessage",
    "StepResult",
    "new_session",
    "step",
]
