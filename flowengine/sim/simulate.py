"""A simulated caller on the real runtime: posts what Twilio would post, turn by turn.

Every answer goes through `runtime.step`, exactly as the web server's webhooks do; this
module only plays Twilio's part (which webhook comes next, with which form fields) and
follows hand-overs to other flows. The terminal front end and the scenario runner both
drive a `Call`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import Graph
from flowengine.runtime.interpreter import (
    Event,
    FlowRuntimeError,
    OutboundMessage,
    StepResult,
    step,
)
from flowengine.runtime.resume import resume
from flowengine.runtime.session import CallSession
from flowengine.sim import fetches
from flowengine.sim.caller_input import Action
from flowengine.sim.transcript import Wait, read

MAX_HANDOVERS = 20  # hand-overs in one turn; the flows would otherwise bounce forever


class SimulationError(Exception):
    """The call cannot go on: a missing flow, a webhook the flow cannot answer."""


@dataclass(frozen=True)
class Run:
    """One `step` call: the graph it ran on, its trace, and the state it entered first."""

    graph: Graph
    result: StepResult
    entry: str | None = None


@dataclass
class Turn:
    lines: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    texts: list[OutboundMessage] = field(default_factory=list)  # text messages sent
    wait: Wait | None = None
    ended: str | None = None  # hangup, reject, leave, redirect, completed, caller-hangup
    flow: str = ""
    state: str | None = None

    @property
    def visited(self) -> list[str]:
        names: list[str] = []
        for run in self.runs:
            names += [run.entry] if run.entry else []
            names += [target for _, _, target in run.result.trace]
        return names


class Flows:
    """Flow files by name in one folder, each compiled once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.graphs: dict[str, Graph] = {}

    def get(self, name: str) -> Graph:
        if name not in self.graphs:
            for suffix in (".yaml", ".yml"):
                path = self.folder / f"{name}{suffix}"
                if path.is_file():
                    self.graphs[name] = load_flow(str(path))
                    break
            else:
                raise SimulationError(f"flow '{name}' not found in {self.folder}/")
        return self.graphs[name]


class Call:
    def __init__(
        self,
        graph: Graph,
        flows: Flows,
        now: datetime,
        caller: str = "+15550001111",
        to: str = "+15550009999",
        params: dict[str, str] | None = None,
        start: str | None = None,
    ) -> None:
        self.graph = graph
        self.flows = flows
        self.now = now
        self.start = start
        self.base = {
            "CallSid": "CA" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": caller,
            "To": to,
        }
        if graph.channel == "voice":
            self.base |= {"CallStatus": "in-progress", "Direction": "inbound"}
        self.extra = dict(params or {})
        self.fetch_answers: fetches.AnswerSource | None = None
        self.splits: dict[str, str] = {}  # split state -> the branch a scenario forces
        self.session: CallSession | None = None
        self.wait: Wait | None = None
        self.ended: str | None = None
        self.state: str | None = None
        flows.graphs.setdefault(graph.name, graph)

    def begin(self) -> Turn:
        """The call comes in (voice), or the conversation is ready for a first text (sms)."""
        turn = Turn(flow=self.graph.name)
        if self.graph.channel == "sms":
            self.wait = turn.wait = Wait("sms", self.graph.name, "")
            return turn
        event = Event("call", self.base | self.extra, state=self.start)
        self.run(turn, self.graph, event, self.start or self.graph.start)
        return turn

    def answer(self, action: Action) -> Turn:
        turn = Turn(flow=self.graph.name)
        wait = self.wait
        if action.kind == "hangup":
            if self.session is not None:
                status = self.base | {"CallStatus": "completed"}
                self.run(turn, self.graph, Event("status", status), None)
            turn.lines.append("(the caller hangs up)")
            self.finish(turn, "caller-hangup")
            return turn
        if wait is None:
            raise SimulationError("the call has already ended")
        if action.kind == "text":
            fresh = self.session is None or self.session.ended
            params = self.base | {"Body": action.value, "MessageSid": "SM" + uuid.uuid4().hex}
            self.run(turn, self.graph, Event("sms", params), self.graph.start if fresh else None)
            return turn
        params = dict(self.base) | self.form(wait, action, turn)
        self.run(turn, self.graph, Event(wait.event, params, state=wait.state), None)
        return turn

    def form(self, wait: Wait, action: Action, turn: Turn) -> dict[str, str]:
        """The form fields Twilio posts to the waiting verb's action URL."""
        if wait.event == "gather":
            heard = {"keys": "keys", "speech": "speech"}.get(action.kind)
            if heard and heard not in wait.listens_for:
                turn.lines.append(f"(this menu does not listen for {heard}: Twilio hears nothing)")
                return {"Digits": ""}
            if action.kind == "keys":
                return {"Digits": self.keys(wait, action.value, turn)}
            if action.kind == "speech":
                return {"SpeechResult": action.value, "Confidence": "0.9"}
            return {"Digits": ""}
        outcome = action.value
        if wait.event == "dial":
            return {"DialCallStatus": outcome, "DialCallDuration": "0"}
        if wait.event == "record":
            if outcome == "recorded":
                url = "https://api.twilio.com/recordings/RE" + "0" * 32
                return {"RecordingUrl": url, "RecordingDuration": "12"}
            return {"RecordingDuration": "0"}
        if wait.event == "connect":
            return {"SessionStatus": outcome}
        return {"QueueResult": outcome, "QueueTime": "30"}

    def keys(self, wait: Wait, keys: str, turn: Turn) -> str:
        """The Digits Twilio posts: up to the finish key, at most numDigits keys."""
        heard = keys
        if wait.finish_on_key and wait.finish_on_key in heard:
            heard = heard[: heard.index(wait.finish_on_key)]
        if wait.num_digits and len(heard) > wait.num_digits:
            heard = heard[: wait.num_digits]
        if heard != keys:
            turn.lines.append(f"(Twilio hears the keys '{heard}')")
        return heard

    # -- after each webhook ----------------------------------------------------------------

    def run(self, turn: Turn, graph: Graph, event: Event, entry: str | None) -> None:
        for _ in range(MAX_HANDOVERS):
            result = self.step(graph, event, turn)
            self.session = result.session
            turn.runs.append(Run(graph, result, entry))
            self.state = entry or self.state
            if result.trace:
                self.state = result.trace[-1][2]
            reply = read(result.twiml)
            # The server sends texts while it answers the webhook, before Twilio speaks.
            for message in result.messages:
                turn.texts.append(message)
                turn.lines.append(f"SMS to {message.to}: {message.body}")
                turn.lines.extend(f"  Media: {url}" for url in message.media)
            turn.lines.extend(reply.lines)
            turn.dialled.extend(reply.dialled)
            turn.flow, turn.state, self.graph = graph.name, self.state, graph
            handover = reply.redirect
            if handover is not None and handover.within:
                entry = handover.state
                event = Event("redirect", dict(self.base), state=entry)
                continue
            if handover is not None and handover.flow is not None:
                graph = self.flows.get(handover.flow)
                entry = handover.state or graph.start
                turn.lines.append(f"(hand-over to flow '{graph.name}', state '{entry}')")
                event = Event("call", dict(self.base), state=handover.state)
                continue
            if handover is not None:
                turn.lines.append(f"(the call leaves for {handover.url}; the simulation ends)")
                self.finish(turn, "redirect")
            elif reply.wait is not None:
                self.wait = turn.wait = reply.wait
                if reply.wait.wait_url:
                    self.hold_music(turn, reply.wait.wait_url)
            elif reply.ending is not None:
                self.finish(turn, reply.ending)
            elif graph.channel == "sms" and not result.session.ended:
                self.wait = turn.wait = Wait("sms", graph.name, self.state or "")
            else:
                self.finish(turn, "completed")
            return
        raise SimulationError(f"more than {MAX_HANDOVERS} hand-overs in a row")

    def step(self, graph: Graph, event: Event, turn: Turn | None = None) -> StepResult:
        try:
            event = Event(event.kind, event.params, event.state, event.result, self.splits)
            result = step(graph, self.session, event, self.now)
            for _ in range(MAX_HANDOVERS):
                request = result.fetch
                if request is None:
                    return result
                answer = self.fetch_answers(request) if self.fetch_answers else None
                if answer is None:
                    raise SimulationError(
                        f"state '{request.state}' fetches {request.method} {request.url}, and "
                        f"no answer is given for it: add e.g. "
                        f"fetch: {{{request.state}: {{status: 200, body: {{...}}}}}}"
                    )
                if turn is not None:
                    turn.lines.append(fetches.describe(request, answer))
                result = resume(graph, result, request, answer, self.now, self.splits)
            raise SimulationError(f"more than {MAX_HANDOVERS} fetches in a row")
        except FlowRuntimeError as exc:
            raise SimulationError(f"{graph.path}: {exc}") from exc

    def finish(self, turn: Turn, how: str) -> None:
        self.wait = turn.wait = None
        self.ended = turn.ended = how
        turn.state = self.state

    def hold_music(self, turn: Turn, url: str) -> None:
        """Show once what the caller hears while waiting (Twilio runs the wait URL in a loop)."""
        name = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            graph = self.flows.get(name)
        except SimulationError:
            turn.lines.append(f"  (while waiting: {url}, not a flow in {self.flows.folder}/)")
            return
        params = self.base | {"QueuePosition": "1", "QueueTime": "0", "CurrentQueueSize": "1"}
        result = step(graph, None, Event("call", params), self.now)
        turn.runs.append(Run(graph, result, graph.start))
        turn.lines.extend(f"  (while waiting) {line}" for line in read(result.twiml).lines)
