"""Replay recorded calls against other flows, on the pure runtime, without a network.

Each call is played again step by step: the same caller moves (keys, speech, silence),
the same dial, record and queue results, at the same times (opening hours see the
recorded clock). A call is *changed* at the first step whose transitions or whose words
differ from what was recorded; from there the recorded moves no longer answer the same
questions, so the replay stops. Answers to `sensitive` gathers were never kept: such a
call is replayed up to that question and reported as not replayable past it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flowengine.flow.graph import Graph
from flowengine.history.observe import HIDDEN
from flowengine.history.record import Step
from flowengine.runtime.interpreter import Event, FlowRuntimeError, StepResult, step
from flowengine.runtime.session import CallSession
from flowengine.sim.transcript import read

Graphs = Callable[[str], Graph | None]


@dataclass(frozen=True)
class Outcome:
    sid: str
    kind: str  # same, changed, not-replayable
    flow: str = ""
    state: str = ""  # where it first differs, or where replay had to stop
    detail: str = ""


def params_for(step: Step) -> dict[str, str] | None:
    """The form Twilio posted for this step, rebuilt from what the history kept."""
    base = {"CallSid": step.sid, "From": step.caller, "To": step.called}
    if step.direction and step.direction != "sms":
        base |= {"Direction": step.direction, "CallStatus": "in-progress"}
    kind, _, value = step.input.partition(":")
    if step.event == "gather":
        if step.input == HIDDEN:
            return None
        if kind == "keys":
            return base | {"Digits": value}
        if kind == "speech":
            return base | {"SpeechResult": value, "Confidence": "0.9"}
        return base | {"Digits": ""}
    if step.event == "dial":
        return base | {"DialCallStatus": value}
    if step.event == "record":
        if value == "recorded":
            url = next((e.get("url", "") for e in step.events if e.get("kind") == "recording"), "")
            return base | {
                "RecordingUrl": url or "https://api.twilio.com/RE",
                "RecordingDuration": "1",
            }
        return base | {"RecordingDuration": "0"}
    if step.event == "enqueue":
        return base | {"QueueResult": value}
    if step.event == "sms":
        return base | {"Body": value}
    return base


def heard(twiml: str) -> list[str]:
    """What the caller hears; where a <Redirect> points is left to the trail (its URL
    carries the server's public prefix, which a replay does not know)."""
    if not twiml:
        return []
    return [line for line in read(twiml).lines if not line.startswith("Redirect: ")]


def replay_call(steps: Iterable[Step], graphs: Graphs) -> Outcome:
    session: CallSession | None = None
    sid = ""
    for recorded in steps:
        sid = recorded.sid
        where = f"{recorded.flow}:{recorded.state}" if recorded.state else recorded.flow
        if recorded.event == "status":
            continue
        flow = (
            recorded.flow if recorded.event in ("call", "sms") or session is None else session.flow
        )
        graph = graphs(flow)
        if graph is None:
            return Outcome(sid, "not-replayable", flow, recorded.state, f"no flow {flow!r}")
        params = params_for(recorded)
        if params is None:
            detail = "the caller answered a sensitive question; the answer was not kept"
            return Outcome(sid, "not-replayable", recorded.flow, recorded.state, detail)
        if recorded.event not in ("call", "sms") and session is not None:
            waiting = session.state or ""
            if recorded.event != "redirect" and waiting != recorded.state:
                detail = f"the call now waits in {waiting or '(nothing)'}, not {recorded.state}"
                return Outcome(sid, "changed", session.flow, recorded.state, detail)
        event = Event(recorded.event, params, recorded.state or None)
        now = datetime.fromtimestamp(recorded.at, UTC)
        try:
            result = step(graph, session, event, now)
        except FlowRuntimeError as exc:
            return Outcome(sid, "changed", flow, recorded.state, f"the flow fails: {exc}")
        change = compare(recorded, result)
        if change is not None:
            state, detail = change
            return Outcome(sid, "changed", flow, state or recorded.state, detail or where)
        session = result.session
    return Outcome(sid, "same")


def compare(recorded: Step, result: StepResult) -> tuple[str, str] | None:
    new_trail = tuple(tuple(edge) for edge in result.trace)
    if new_trail != recorded.trail:
        for was, now in zip(recorded.trail, new_trail, strict=False):
            if was != now:
                return was[0], f"goes {now[1]} -> {now[2]} (was {was[1]} -> {was[2]})"
        index = min(len(recorded.trail), len(new_trail))
        if index < len(new_trail):
            edge = new_trail[index]
            return edge[0], f"now goes on {edge[1]} -> {edge[2]}"
        edge = recorded.trail[index]
        return edge[0], f"no longer goes {edge[1]} -> {edge[2]}"
    if not recorded.twiml:
        return None  # what followed a sensitive answer was not kept: nothing to compare
    if result.twiml != recorded.twiml:
        before, after = heard(recorded.twiml), heard(result.twiml)
        if before != after:
            last = recorded.trail[-1][2] if recorded.trail else recorded.state
            first = next((a for b, a in zip(before, after, strict=False) if b != a), None)
            longer = after[len(before)] if len(after) > len(before) else ""
            said = first if first is not None else longer
            return last, f"callers hear: {said[:120]}" if said else "callers hear less"
    return None
