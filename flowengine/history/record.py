"""What the history keeps of a call: one row per call, one step per webhook the flow answered.

A step is keyed by the session revision its save produced, so the same step written twice
(a retried batch, two processes) is stored once, and steps sort in the order the calls'
sessions saw them. `events` is the open list of what happened around the flow (a text
sent, a recording, a fallback): a new kind needs no new column. The answers of the fetches
a step acted on are kept apart, in `fetches` (see history/fetches.py): they are the
business's data about the caller, read by replay, and a history written before they were
kept has None there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Edge = tuple[str, str, str]  # (from state, label, to state)

# How a call's record was closed, when no status callback says how it ended.
CLOSED_BY_EXPIRY = "session-expired"


@dataclass(slots=True)  # one per webhook, built on the request path: no frozen setattr
class Step:
    """One webhook the flow answered: what the caller did, where the call went, what it heard."""

    sid: str
    rev: int
    at: float  # seconds since the epoch
    flow: str
    version: str
    event: str  # call, gather, dial, record, enqueue, redirect, sms, status
    state: str  # where the event arrived ("" for an entry)
    input: str  # "keys:1", "speech:sales", "silence", "dial:busy", "hidden" for sensitive
    trail: tuple[Edge, ...]
    path: tuple[str, ...]  # the session's whole path after this step
    outcome: str  # the session's outcome after this step ("" while the call goes on)
    ended: bool
    twiml: str  # what the caller heard ("" when a sensitive answer may be echoed back)
    events: tuple[dict[str, Any], ...] = ()
    direction: str = ""
    caller: str = ""
    called: str = ""
    # The fetch answers this step acted on, in order; None: recorded before they were kept.
    fetches: tuple[dict[str, Any], ...] | None = ()


@dataclass(slots=True)
class Note:
    """Something about a call outside the flow's steps: its status callback, a recording's
    status or transcription, a fallback. Unlike a step it carries no revision."""

    sid: str
    at: float
    kind: str  # status, recording, transcription, fallback
    data: dict[str, Any]


@dataclass
class CallRecord:
    sid: str
    flow: str
    version: str
    direction: str
    caller: str
    called: str
    started_at: float
    last_at: float
    ended_at: float | None
    outcome: str
    ended_how: str  # completed/busy/... from Twilio's status, session-expired, or ""
    path: list[str]
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return (self.ended_at or self.last_at) - self.started_at

    def summary(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "flow": self.flow,
            "version": self.version,
            "direction": self.direction,
            "from": self.caller,
            "to": self.called,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "outcome": self.outcome,
            "ended_how": self.ended_how,
            "path": self.path,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "steps": [step_dict(s) for s in self.steps],
            "notes": [{"at": n.at, "kind": n.kind, **n.data} for n in self.notes],
        }


def step_dict(step: Step) -> dict[str, Any]:
    return {
        "rev": step.rev,
        "at": step.at,
        "event": step.event,
        "state": step.state,
        "input": step.input,
        "trail": [list(edge) for edge in step.trail],
        "outcome": step.outcome,
        "ended": step.ended,
        "events": list(step.events),
        "fetches": None if step.fetches is None else list(step.fetches),
    }


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def trail_of(text: str) -> tuple[Edge, ...]:
    return tuple((str(a), str(b), str(c)) for a, b, c in json.loads(text))
