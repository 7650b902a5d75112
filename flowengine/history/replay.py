"""Replay recorded calls against other flows, on the pure runtime, without a network.

Each call is played again step by step: the same caller moves (keys, speech, silence),
the same dial, record and queue results, the same answers from the business's backend,
at the same times (opening hours see the recorded clock). A call is *changed* at the first
step whose transitions or whose words differ from what was recorded; from there the
recorded moves no longer answer the same questions, so the replay stops. Answers to
`sensitive` gathers and fetches were never kept: such a call is replayed up to that point
and reported as not replayable past it.

Fetch answers are given in the order the recording got them within each webhook, to the
fetch state of the same name and method (not by URL: it holds per-environment settings).
A fetch the recording has no answer for is where the call stops: *changed* when the path
already differs there, otherwise not replayable past it, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flowengine.flow.graph import Graph
from flowengine.history import fetches
from flowengine.history.observe import HIDDEN
from flowengine.history.record import Edge, Step
from flowengine.runtime import effects
from flowengine.runtime.effects import FetchResult
from flowengine.runtime.interpreter import Event, FlowRuntimeError, StepResult, step
from flowengine.runtime.resume import resume
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


class Answers:
    """The fetch answers one recorded step acted on, handed out in order."""

    def __init__(self, recorded: Step) -> None:
        self.kept = recorded.fetches
        self.next = 0

    def left(self) -> bool:
        return self.kept is not None and self.next < len(self.kept)

    def take(self, state: str, method: str) -> FetchResult | str:
        """The answer for this fetch, or why there is none."""
        if self.kept is None:
            return "recorded before flowengine kept fetch answers: what the backend said is unknown"
        if self.next >= len(self.kept):
            return f"the flow now fetches in {state}, and the recording has no answer for it"
        kept = self.kept[self.next]
        self.next += 1
        if (kept.get("state"), kept.get("method")) != (state, method):
            was = f"{kept.get('method')} in {kept.get('state')}"
            return f"the flow now fetches {method} in {state}; the recording answered {was}"
        found = fetches.answer(kept)
        return found if found is not None else fetches.why_not_kept(kept)


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
        answers = Answers(recorded)
        result: FetchResult | None = None
        if recorded.event == "fetch":  # Twilio came back for a slow answer (after the filler)
            at = graph.states.get(recorded.state)
            method = at.fetch.method if at is not None and at.fetch else ""
            got = answers.take(recorded.state, method)
            if isinstance(got, str):
                return Outcome(sid, "not-replayable", flow, recorded.state, got)
            result = got
        event = Event(recorded.event, params, recorded.state or None, result=result)
        now = datetime.fromtimestamp(recorded.at, UTC)
        try:
            replayed = answered(graph, step(graph, session, event, now), answers, now)
        except FlowRuntimeError as exc:
            return Outcome(sid, "changed", flow, recorded.state, f"the flow fails: {exc}")
        if isinstance(replayed, tuple):
            partial, state, why = replayed
            change = differs(recorded.trail, tuple(partial.trace), prefix=True)
            if change is not None:
                return Outcome(sid, "changed", flow, change[0], change[1])
            return Outcome(sid, "not-replayable", partial.session.flow, state, why)
        change = compare(recorded, replayed)
        if change is not None:
            state, detail = change
            return Outcome(sid, "changed", flow, state or recorded.state, detail or where)
        session = replayed.session
    return Outcome(sid, "same")


def answered(
    graph: Graph, result: StepResult, answers: Answers, now: datetime
) -> StepResult | tuple[StepResult, str, str]:
    """Feed the step's fetches their recorded answers, as the server did with the backend's.

    A fetch with no answer left whose flow has a filler was slow when recorded: the call
    heard the filler and Twilio came back for the answer in the next webhook. Otherwise no
    answer stops the replay: (the result so far, the fetch state, why)."""
    while result.fetch is not None:
        request = result.fetch
        if request.filler and answers.kept is not None and not answers.left():
            result.twiml = effects.with_filler(result.twiml, request)
            result.fetch = None
            break
        got = answers.take(request.state, request.method)
        if isinstance(got, str):
            return result, request.state, got
        result = resume(graph, result, request, got, now)
    return result


def differs(
    was: tuple[Edge, ...], now: tuple[Edge, ...], prefix: bool = False
) -> tuple[str, str] | None:
    """The first transition where two trails part (a shorter `now` is fine with `prefix`).

    Trails part where they go to another state. A label alone (a switch case's condition
    with a new threshold, a key added to a choice) is not a change of path."""
    for old, new in zip(was, now, strict=False):
        if old[0] != new[0] or old[2] != new[2]:
            return old[0], f"goes {new[1]} -> {new[2]} (was {old[1]} -> {old[2]})"
    index = min(len(was), len(now))
    if index < len(now):
        edge = now[index]
        return edge[0], f"now goes on {edge[1]} -> {edge[2]}"
    if prefix or index == len(was):
        return None
    edge = was[index]
    return edge[0], f"no longer goes {edge[1]} -> {edge[2]}"


def compare(recorded: Step, result: StepResult) -> tuple[str, str] | None:
    change = differs(recorded.trail, tuple(result.trace))
    if change is not None:
        return change
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
