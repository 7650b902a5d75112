"""Turn a webhook the server answered into history items, and hand them to the writer.

The server calls these at the point where the step's result is known; they only build
small values and append them to the writer's queue, so a webhook pays no I/O for its
history. Inputs of gathers marked `sensitive: true` are never kept, nor the answers of
fetches marked so (nor, since the flow may read that answer out later, anything the call
says from then on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from flowengine.flow.graph import Graph
from flowengine.history import fetches
from flowengine.history.record import Note, Step
from flowengine.runtime.effects import FetchResult
from flowengine.runtime.interpreter import StepResult

HIDDEN = "hidden"
Lookup = Callable[[str, str], Graph | None]


class Sink(Protocol):
    def append(self, item: Step | Note) -> None: ...


def caller_input(event: str, params: Mapping[str, str], sensitive: bool = False) -> str:
    """What the caller (or Twilio, for a dial or queue) answered, as one short string."""
    if event == "gather":
        digits, speech = params.get("Digits", "").strip(), params.get("SpeechResult", "").strip()
        if not digits and not speech:
            return "silence"
        if sensitive:
            return HIDDEN
        return f"keys:{digits}" if digits else f"speech:{speech}"
    if event == "dial":
        return "dial:" + (params.get("DialCallStatus") or "failed")
    if event == "record":
        recorded = params.get("RecordingUrl") and params.get("RecordingDuration", "1") != "0"
        return "record:recorded" if recorded else "record:no-recording"
    if event == "enqueue":
        return "queue:" + (params.get("QueueResult") or "error")
    if event == "sms":
        return "text:" + params.get("Body", "")
    return ""


def effects(event: str, params: Mapping[str, str], result: StepResult) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if event == "dial":
        found.append(
            {
                "kind": "dial",
                "status": params.get("DialCallStatus", ""),
                "duration": params.get("DialCallDuration", ""),
            }
        )
    elif event == "enqueue":
        found.append(
            {
                "kind": "queue",
                "result": params.get("QueueResult", ""),
                "time": params.get("QueueTime", ""),
            }
        )
    elif event == "record" and params.get("RecordingUrl"):
        found.append(
            {
                "kind": "recording",
                "url": params.get("RecordingUrl", ""),
                "duration": params.get("RecordingDuration", ""),
            }
        )
    found.extend(
        {"kind": "text", "to": m.to, "body": m.body, "media": list(m.media)}
        for m in result.messages
    )
    return found


def answers(graph: Graph | None, result: StepResult) -> tuple[dict[str, Any], ...]:
    kept = []
    for name, answer in result.answers:
        state = graph.states.get(name) if graph is not None else None
        fetch = state.fetch if state is not None else None
        method = fetch.method if fetch is not None else ""
        # A flow gone from the registry is taken as secret: better unreplayable than leaked.
        sensitive = fetch is None or fetch.sensitive
        kept.append(fetches.record(name, method, answer, sensitive))
    return tuple(kept)


def secret_fetches(graph: Graph) -> frozenset[str]:
    return frozenset(
        name for name, s in graph.states.items() if s.fetch is not None and s.fetch.sensitive
    )


class HistoryObserver:
    """Called by the server; everything it hands on is a plain value for the writer."""

    def __init__(self, sink: Sink, lookup: Lookup, clock: Callable[[], float] = time.time) -> None:
        self.sink = sink
        self.lookup = lookup
        self.clock = clock
        self.secret: dict[tuple[str, str], frozenset[str]] = {}  # by flow and version

    def heard_secret(self, graph: Graph | None, path: list[str]) -> bool:
        """Has the call acted on the answer of a sensitive fetch so far?"""
        if graph is None:
            return False
        key = (graph.name, graph.version)
        secret = self.secret.get(key)
        if secret is None:
            secret = self.secret[key] = secret_fetches(graph)
        return bool(secret) and not secret.isdisjoint(path)

    def step(
        self,
        key: str,
        fields: Mapping[str, object],
        params: Mapping[str, str],
        result: StepResult,
    ) -> None:
        session = result.session
        event = str(fields.get("event") or "")
        state = str(fields.get("state") or "")
        graph = self.lookup(session.flow, session.version)
        at = graph.states.get(state) if graph is not None else None
        sensitive = at is not None and at.sensitive
        # The answer of a secret fetch stays in the call's variables: any later prompt may
        # read it out, so nothing the call says from there on is kept.
        hide = (sensitive and event == "gather") or self.heard_secret(graph, session.path)
        self.sink.append(
            Step(
                sid=key,
                rev=session.rev,
                at=self.clock(),
                flow=session.flow,
                version=session.version,
                event=event,
                state=state,
                input=caller_input(event, params, sensitive),
                trail=tuple(result.trace),
                path=tuple(session.path),
                outcome=session.outcome,
                ended=session.ended,
                # The answer to a secret question may be read back ("you entered ..."):
                # what the caller heard right after it is not kept either.
                twiml="" if hide else result.twiml,
                events=tuple(effects(event, params, result)),
                direction=params.get("Direction", "sms" if event == "sms" else ""),
                caller=params.get("From", ""),
                called=params.get("To", ""),
                fetches=answers(graph, result),
            )
        )

    def note(self, key: str, kind: str, data: dict[str, Any]) -> None:
        if key:
            self.sink.append(Note(key, self.clock(), kind, data))

    def status(self, fields: Mapping[str, object], params: Mapping[str, str]) -> None:
        data = {
            "status": params.get("CallStatus", "completed"),
            "duration": params.get("CallDuration", ""),
        }
        self.note(params.get("CallSid", ""), "status", data)

    def transcription(self, params: Mapping[str, str]) -> None:
        data = {
            "url": params.get("RecordingUrl", ""),
            "status": params.get("TranscriptionStatus", ""),
            "text": params.get("TranscriptionText", ""),
        }
        self.note(params.get("CallSid", ""), "transcription", data)

    def answered(self, route: str, fields: Mapping[str, object], seconds: float) -> None:
        return None

    def fetched(
        self, call: str, flow: str, state: str, result: FetchResult, seconds: float
    ) -> None:
        # The outcome and status only: the body may hold the business's data about the caller.
        data = {
            "flow": flow,
            "state": state,
            "outcome": result.outcome,
            "status": result.status,
            "ms": round(seconds * 1000, 1),
        }
        self.note(call, "fetch", data)

    def fell_back(
        self,
        route: str,
        fields: Mapping[str, object],
        params: Mapping[str, str],
        cause: str,
        seconds: float,
    ) -> None:
        data = {"route": route, "cause": cause, "state": str(fields.get("state") or "")}
        self.note(params.get("CallSid", ""), "fallback", data)
