"""A simulated caller on the real runtime: posts what Twilio would post, turn by turn.

Every answer goes through `runtime.step`, exactly as the web server's webhooks do; this
module only plays Twilio's part (which webhook comes next, with which form fields) and
follows hand-overs to other flows. The terminal front end and the scenario runner both
drive a `Call`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from flowengine.flow.files import flow_files
from flowengine.flow.graph import CallBack, Graph
from flowengine.runtime.interpreter import (
    Event,
    FlowRuntimeError,
    OutboundMessage,
    StepResult,
    step,
)
from flowengine.runtime.resume import resume
from flowengine.runtime.session import CallSession
from flowengine.sim import call_back, fetches
from flowengine.sim.caller_input import Action
from flowengine.sim.flows import FlowFailed, Flows, SimulationError
from flowengine.sim.transcript import Wait, read

MAX_HANDOVERS = 20  # hand-overs in one turn; the flows would otherwise bounce forever


@dataclass(frozen=True)
class Run:
    """One `step` call: the graph it ran on, its trace, and the state it entered first."""

    graph: Graph
    result: StepResult
    entry: str | None = None


@dataclass
class Hold:
    """A caller waiting in a queue, hearing a flow of the folder (the enqueue's waitUrl).

    As on the server, Twilio asks for the wait flow again each time it runs out, and the
    flow runs afresh each time (no session); a gather in it is answered by that flow.
    """

    queue: Wait  # the enqueue the calling flow waits on
    graph: Graph  # the wait flow
    seconds: int = 0  # the QueueTime Twilio posts


@dataclass
class Turn:
    lines: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    texts: list[OutboundMessage] = field(default_factory=list)  # text messages sent
    wait: Wait | None = None
    ended: str | None = None  # hangup, reject, leave, redirect, completed, caller-hangup,
    # call_back
    flow: str = ""
    state: str | None = None

    @property
    def visited(self) -> list[str]:
        names: list[str] = []
        for run in self.runs:
            names += [run.entry] if run.entry else []
            names += [target for _, _, target in run.result.trace]
        return names


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
        self.hold: Hold | None = None
        self.ended: str | None = None
        self.state: str | None = None
        self.asked: CallBack | None = None  # the callback the call asked for, if it did
        self.placed = 0  # callback calls placed for it so far
        flows.graphs.setdefault(graph.name, graph)

    def begin(self, params: Mapping[str, str] | None = None) -> Turn:
        """The call comes in (voice), or the conversation is ready for a first text (sms);
        `params` add to (or replace) the form fields of the call's first webhook."""
        turn = Turn(flow=self.graph.name)
        if self.graph.channel == "sms":
            self.wait = turn.wait = Wait("sms", self.graph.name, "")
            return turn
        event = Event("call", self.base | self.extra | dict(params or {}), state=self.start)
        self.run(turn, self.graph, event, self.start or self.graph.start)
        return turn

    def answer(self, action: Action, params: Mapping[str, str] | None = None) -> Turn:
        """The caller's move; `params` add to (or replace) the form fields Twilio posts
        with the webhook it causes (CallStatus, DialCallDuration, ...)."""
        turn = Turn(flow=self.graph.name)
        wait = self.wait
        extra = dict(params or {})
        if action.kind == "callback":
            return self.call_back(turn, action.value, extra)
        hold = self.hold
        if hold is not None and action.kind != "hangup":
            if action.kind == "wait":
                hold.seconds += int(action.value)
                self.play_hold(turn, Event("call", self.queue_form(hold) | extra))
                return turn
            if wait is not None and wait is not hold.queue and action.kind != "outcome":
                form = self.queue_form(hold) | self.form(wait, action, turn) | extra
                self.play_hold(turn, Event(wait.event, form, state=wait.state))
                return turn
            wait = hold.queue  # how waiting in the queue ended: the calling flow goes on
        self.hold = None
        if action.kind == "hangup":
            if self.session is not None:
                status = self.base | {"CallStatus": "completed"} | extra
                self.run(turn, self.graph, Event("status", status), None)
            turn.lines.append("(the caller hangs up)")
            self.finish(turn, "caller-hangup")
            return turn
        if wait is None:
            raise SimulationError("the call has already ended")
        if action.kind == "text":
            fresh = self.session is None or self.session.ended
            form = self.base | {"Body": action.value, "MessageSid": "SM" + uuid.uuid4().hex}
            self.run(
                turn, self.graph, Event("sms", form | extra), self.graph.start if fresh else None
            )
            return turn
        form = dict(self.base) | self.form(wait, action, turn) | extra
        self.run(turn, self.graph, Event(wait.event, form, state=wait.state), None)
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
                    self.enter_queue(turn, reply.wait)
            elif reply.ending is not None:
                self.end(turn, graph, result, reply.ending)
            elif graph.channel == "sms" and not result.session.ended:
                self.wait = turn.wait = Wait("sms", graph.name, self.state or "")
            else:
                self.finish(turn, "completed")
            return
        raise FlowFailed(f"more than {MAX_HANDOVERS} hand-overs in a row")

    def step(self, graph: Graph, event: Event, turn: Turn | None = None) -> StepResult:
        event = Event(event.kind, event.params, event.state, event.result, self.splits)
        result = step_or_fail(graph, self.session, event, self.now)
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
            try:
                result = resume(graph, result, request, answer, self.now, self.splits)
            except FlowRuntimeError as exc:
                raise FlowFailed(f"{graph.path}: {exc}") from exc
        raise SimulationError(f"more than {MAX_HANDOVERS} fetches in a row")

    def end(self, turn: Turn, graph: Graph, result: StepResult, how: str) -> None:
        """The TwiML ends the call; a `call_back` state's Hangup asks for a callback."""
        wanted = call_back.asked(graph, result)
        if wanted is not None:
            self.asked, self.placed, how = wanted, 0, "call_back"
            turn.lines.append(call_back.describe(wanted))
        self.finish(turn, how)

    def call_back(self, turn: Turn, outcome: str, extra: dict[str, str]) -> Turn:
        """The server places the callback call: the caller answers it (the call goes on in
        the callback flow), or not (placed again while tries are left)."""
        wanted = self.asked
        if wanted is None or self.ended != "call_back" or self.placed >= wanted.tries:
            raise SimulationError("no callback is waiting to be placed for this call")
        self.placed += 1
        if outcome != "answered":
            turn.lines.append(call_back.not_answered(wanted, outcome, self.placed))
            turn.ended = self.ended
            return turn
        graph = self.flows.get(wanted.flow)
        self.base = call_back.outbound(self.base, "CA" + uuid.uuid4().hex)
        self.session, self.ended, self.state = None, None, None
        turn.lines.append(f"(the callback call is answered: flow '{graph.name}')")
        self.run(turn, graph, Event("call", self.base | extra), graph.start)
        return turn

    def finish(self, turn: Turn, how: str) -> None:
        self.wait = turn.wait = None
        self.ended = turn.ended = how
        turn.state = self.state

    def enter_queue(self, turn: Turn, queue: Wait) -> None:
        url = queue.wait_url
        name = url.rstrip("/").rsplit("/", 1)[-1]
        if name not in flow_files(self.flows.folder):
            turn.lines.append(f"  (while waiting: {url}, not a flow in {self.flows.folder}/)")
            return
        self.hold = Hold(queue, self.flows.get(name))
        self.play_hold(turn, Event("call", self.queue_form(self.hold)))

    def queue_form(self, hold: Hold) -> dict[str, str]:
        """What Twilio posts to a waitUrl: the call's fields and where it is in the queue."""
        queue = {"QueuePosition": "1", "QueueTime": str(hold.seconds), "CurrentQueueSize": "1"}
        return self.base | queue

    def play_hold(self, turn: Turn, event: Event) -> None:
        """One round of the wait flow, or its answer to a gather, as the server runs it."""
        hold = self.hold
        assert hold is not None
        result = step_or_fail(hold.graph, None, event, self.now)
        entry = (event.state or hold.graph.start) if event.kind == "call" else None
        turn.runs.append(Run(hold.graph, result, entry))
        reply = read(result.twiml)
        turn.lines.extend(f"  (while waiting) {line}" for line in reply.lines)
        if reply.ending == "leave":
            # Twilio takes the caller out of the queue and posts the enqueue's action.
            self.hold = None
            form = self.base | {"QueueResult": "leave", "QueueTime": str(hold.seconds)}
            self.run(turn, self.graph, Event("enqueue", form, state=hold.queue.state), None)
        elif reply.ending is not None:
            self.hold = None
            self.end(turn, hold.graph, result, reply.ending)
        elif reply.wait is not None and reply.wait.event == "gather":
            self.wait = turn.wait = replace(reply.wait, in_queue=True)
        else:
            self.wait = turn.wait = hold.queue
            turn.lines.append(
                "  (the wait flow ends: Twilio plays it again while the caller waits)"
            )


def step_or_fail(
    graph: Graph, session: CallSession | None, event: Event, now: datetime
) -> StepResult:
    """`runtime.step`, with its run-time errors as FlowFailed naming the flow's file."""
    try:
        return step(graph, session, event, now)
    except FlowRuntimeError as exc:
        raise FlowFailed(f"{graph.path}: {exc}") from exc
