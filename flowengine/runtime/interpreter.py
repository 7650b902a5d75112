"""step(graph, session, event) -> TwiML and the session after it: the one flow interpreter.

The web server, the simulator and the scenario runner all call `step`, so what the
simulator shows is what Twilio gets. It does no I/O: texts to send are returned, not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from liquid.exceptions import LiquidError

from flowengine.flow import split, twiml
from flowengine.flow.graph import Graph, Retry, State, Target
from flowengine.flow.hours_speech import SpokenHours, spoken_language
from flowengine.flow.speech import contains, words
from flowengine.flow.templates import Template
from flowengine.flow.twiml import Fragment
from flowengine.runtime import effects
from flowengine.runtime.effects import FetchRequest, FetchResult
from flowengine.runtime.session import CallSession
from flowengine.runtime.variables import absorb

EVENTS = (
    "call",
    "gather",
    "dial",
    "record",
    "enqueue",
    "redirect",
    "sms",
    "status",
    "fetch",
    "connect",
)
DEFAULT_RETRY = Retry()
MAX_PATH = 200  # states remembered per call: enough for logs and coverage, bounded in size
_ALIASES = {"completed": "answered", "answered": "completed"}
# The call statuses that end a call; with progress events on, Twilio also posts
# initiated, ringing, answered and in-progress, which change nothing.
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class FlowRuntimeError(Exception):
    """A webhook the flow cannot answer (unknown state, ...); the server renders fallback TwiML."""


@dataclass(frozen=True)
class Event:
    kind: str
    params: Mapping[str, str] = field(default_factory=dict)
    state: str | None = None
    result: FetchResult | None = None  # a "fetch" event: what the front end got back
    splits: Mapping[str, str] = field(default_factory=dict)  # split state -> forced branch


@dataclass(frozen=True)
class OutboundMessage:
    to: str
    from_: str
    body: str
    media: tuple[str, ...] = ()


@dataclass
class StepResult:
    twiml: str
    session: CallSession
    messages: list[OutboundMessage]
    trace: list[tuple[str, str, str]]  # (from state, edge label, to state)
    fetch: FetchRequest | None = None  # perform it, then step again with Event("fetch")
    # The fetch answers this step acted on, by state, in order: the call history keeps them
    # so that replay can give a changed flow what the backend said.
    answers: list[tuple[str, FetchResult]] = field(default_factory=list)


def new_session(graph: Graph, key: str) -> CallSession:
    return CallSession(key=key, flow=graph.name, version=graph.version)


def step(
    graph: Graph, session: CallSession | None, event: Event, now: datetime | None = None
) -> StepResult:
    if event.kind not in EVENTS:
        raise FlowRuntimeError(f"unknown event '{event.kind}'")
    key = event.params.get("CallSid") or (session.key if session else "")
    if session is None or _starts_over(session, event):
        session = _fresh(graph, session, key)
    run = _Run(graph, session, now or datetime.now(UTC), event.splits)
    absorb(session.call, event.params)
    try:
        run.dispatch(event)
    except LiquidError as exc:  # e.g. a filter given a caller's text where it wants a number
        raise FlowRuntimeError(f"template error in flow '{graph.name}': {exc}") from exc
    run.out.append(twiml.CLOSE)
    document = "".join(run.out)
    if twiml.too_large(document):
        raise FlowRuntimeError(
            f"flow '{graph.name}' wrote a TwiML answer over {twiml.MAX_DOCUMENT_BYTES} bytes, "
            "which Twilio refuses"
        )
    return StepResult(document, session, run.messages, run.trace, run.fetch, run.answers)


def end_call(session: CallSession, params: Mapping[str, str]) -> bool:
    """Twilio's call status callback: a final status ends the call and is its outcome.

    Needs no graph, so a call whose flow version is gone is recorded the same way.
    Returns whether anything changed (progress statuses change nothing).
    """
    status = params.get("CallStatus") or "completed"
    if status not in FINAL_STATUSES:
        return False
    absorb(session.call, params)
    session.ended = True
    session.outcome = status
    return True


def _starts_over(session: CallSession, event: Event) -> bool:
    """A voice entry always starts the flow over; a text does once the last conversation ended."""
    if event.kind == "sms":
        return session.ended or session.state is None
    return event.kind == "call"


def _fresh(graph: Graph, previous: CallSession | None, key: str) -> CallSession:
    session = new_session(graph, key)
    if previous is not None:
        session.rev = previous.rev  # the store's compare-and-set compares against the record
    if previous is not None and not previous.ended:
        # A hand-over (from another flow, or to a named state of this one) keeps what the
        # caller already told us.
        session.vars = dict(previous.vars)
        session.call = dict(previous.call)
        session.path = list(previous.path)
    return session


class _Run:
    def __init__(
        self, graph: Graph, session: CallSession, now: datetime, splits: Mapping[str, str]
    ) -> None:
        self.graph = graph
        self.splits = splits
        self.fetch: FetchRequest | None = None
        self.answers: list[tuple[str, FetchResult]] = []
        self.session = session
        self.now = now
        self.out: list[str] = [twiml.OPEN]
        self.messages: list[OutboundMessage] = []
        self.trace: list[tuple[str, str, str]] = []
        self.context: dict[str, Any] = {
            "call": session.call,
            "vars": session.vars,
            "settings": graph.settings,
            "language": self.language(),
            "hours": SpokenHours(
                graph.hours, now, lambda: spoken_language(graph.data, self.language())
            ),
        }

    def language(self) -> str:
        chosen = self.session.vars.get("language")
        return chosen if chosen in self.graph.languages else self.graph.languages[0]

    def state(self, name: str | None) -> State:
        if name is None or name not in self.graph.states:
            raise FlowRuntimeError(f"flow '{self.graph.name}' has no state '{name}'")
        return self.graph.states[name]

    def emit(self, fragment: Fragment | None) -> None:
        if fragment:
            self.out.append(twiml.render(fragment, self.context))

    def apply(self, sets: tuple[tuple[str, Any], ...]) -> None:
        for name, value in sets:
            self.session.vars[name] = (
                value.render(self.context) if isinstance(value, Template) else value
            )
        if sets:
            self.context["language"] = self.language()

    # -- events ----------------------------------------------------------------------------

    def dispatch(self, event: Event) -> None:
        kind, params = event.kind, event.params
        if kind == "call":
            self.emit(self.graph.on_entry)
            self.enter(
                Target(self.state(event.state or self.graph.start).name, label="start"), None
            )
        elif kind == "status":
            end_call(self.session, params)
        elif kind == "sms":
            self.text(params.get("Body", ""))
        elif kind == "redirect":
            # The edge was taken (and traced) when the <Redirect> was written.
            self.enter(Target(self.state(event.state).name, label="redirect"), None)
        else:
            state = self.state(event.state)
            if state.action != kind:
                raise FlowRuntimeError(f"state '{state.name}' does not {kind}")
            if self.session.state != state.name:
                # A late or repeated callback: never count its retries against another state.
                self.session.attempts = {}
            if kind == "fetch":
                target = self.fetched(state, event.result)
            else:
                target = getattr(self, kind)(state, params)
            if target is not None:
                self.enter(target, state.name)

    def gather(self, state: State, params: Mapping[str, str]) -> Target | None:
        digits, speech = params.get("Digits", "").strip(), params.get("SpeechResult", "")
        target = self.match(state, digits, speech)
        if target is not None:
            return target
        if (digits or speech.strip()) and state.next is not None:
            return state.next
        return self.failure(state, "no-match" if digits or speech.strip() else "no-input")

    def match(self, state: State, digits: str, speech: str) -> Target | None:
        if digits:
            if digits in state.on and digits not in ("no-input", "no-match"):
                return state.on[digits]
            for pattern, target in state.patterns:
                if pattern.fullmatch(digits):
                    return target
        elif speech:
            heard = words(speech)
            for phrase, target in state.phrases:
                if contains(heard, phrase):
                    return target
        return None

    def failure(self, state: State, kind: str) -> Target | None:
        if kind in state.on:
            return state.on[kind]
        retry = state.retry or DEFAULT_RETRY
        attempts = self.session.attempts
        attempts[kind] = count = attempts.get(kind, 0) + 1
        if sum(attempts.values()) >= retry.max:
            if retry.then is not None:
                return retry.then
            self.end(state, "retries-exhausted", hang_up=True)
            return None
        escalation = retry.no_input if kind == "no-input" else retry.no_match
        language = self.language()
        if escalation:
            self.emit(escalation[min(count, len(escalation)) - 1][language])
        self.trace.append((state.name, kind, state.name))
        self.emit(state.prompts.get(language))
        self.emit(state.verb[language])
        self.session.state = state.name
        return None

    def outcome(self, state: State, result: str) -> Target | None:
        target = state.on.get(result) or state.on.get(_ALIASES.get(result, ""))
        if target is None:
            target = state.next
        if target is None:
            self.end(state, result, hang_up=True)
        return target

    def dial(self, state: State, params: Mapping[str, str]) -> Target | None:
        return self.outcome(state, params.get("DialCallStatus") or "failed")

    def record(self, state: State, params: Mapping[str, str]) -> Target | None:
        recorded = params.get("RecordingUrl") and params.get("RecordingDuration", "1") != "0"
        return self.outcome(state, "recorded" if recorded else "no-recording")

    def connect(self, state: State, params: Mapping[str, str]) -> Target | None:
        failed = params.get("SessionStatus") == "failed" or params.get("ErrorCode")
        return self.outcome(state, "failed" if failed else "completed")

    def enqueue(self, state: State, params: Mapping[str, str]) -> Target | None:
        return self.outcome(state, params.get("QueueResult") or "error")

    def fetched(self, state: State, result: FetchResult | None) -> Target | None:
        if state.fetch is None or result is None:
            raise FlowRuntimeError(f"state '{state.name}' got no fetch result")
        effects.store(self.session.vars, self.session.call, state.fetch, result)
        self.answers.append((state.name, result))
        return self.outcome(state, result.outcome)

    def text(self, body: str) -> None:
        session = self.session
        if session.state is None:
            start = self.state(self.graph.start)
            if not start.listens:
                self.enter(Target(start.name, label="start"), None)
                return
            session.path.append(start.name)
            session.state = start.name
        state = self.state(session.state)
        heard = words(body)
        target = next((t for phrase, t in state.phrases if contains(heard, phrase)), None)
        if target is None:
            target = state.on.get("no-match") or state.next or Target(state.name, label="no-match")
        self.enter(target, state.name)

    # -- entering states -------------------------------------------------------------------

    def enter(self, target: Target | None, source: str | None) -> None:
        hops = 0
        while target is not None:
            hops += 1
            if (
                hops > 2 * len(self.graph.states) + 2
            ):  # the compiler rules loops out; belt and braces
                raise FlowRuntimeError(f"flow '{self.graph.name}' loops without waiting")
            if source is not None:
                self.trace.append((source, target.label, target.state))
            self.apply(target.sets)
            state = self.state(target.state)
            self.visit(state)
            target, source = self.next_target(state), state.name

    def visit(self, state: State) -> None:
        session = self.session
        if len(session.path) < MAX_PATH:
            session.path.append(state.name)
        self.apply(state.sets)
        if state.sms is not None:
            self.messages.append(self.message(state))
        self.emit(state.prompts.get(self.language()))

    def next_target(self, state: State) -> Target | None:
        session, action = self.session, state.action
        if action == "switch":
            for case in state.cases:
                if case.when is None or case.when(self.context, self.now):
                    return case.target
            self.end(state, "no-branch", hang_up=False)
            return None
        if action == "split":
            forced = self.splits.get(state.name)
            chosen = next((t for _, t in state.split if t.state == forced), None)
            return chosen or split.pick(state.split, self.session.key, state.name)
        if action == "fetch" and state.fetch is not None:
            # Stop here: the front end performs the request and steps again with its result.
            session.state = state.name
            self.fetch = effects.request(state.fetch, state.name, self.context, self.language())
            return None
        if state.waits:
            # Arriving by a transition (even back to the same state) starts a fresh count;
            # a retry re-prompts without passing through here.
            session.attempts = {}
            session.state = state.name
            self.emit(state.verb.get(self.language()))
            return None
        if state.verb:
            self.emit(state.verb[self.language()])
            if state.handoff is not None:
                session.state = None
                session.outcome = f"handoff:{state.handoff[0]}"
            elif state.next is not None:
                self.trace.append((state.name, state.next.label, state.next.state))
                self.apply(state.next.sets)
                session.state = None
            else:
                self.end(state, action, hang_up=False)
            return None
        if state.next is not None:
            return state.next
        self.end(state, "completed", hang_up=False)
        return None

    def end(self, state: State, outcome: str, *, hang_up: bool) -> None:
        if hang_up and self.graph.channel == "voice":
            self.out.append("<Hangup/>")
        self.session.state = None
        self.session.ended = True
        self.session.outcome = outcome

    def message(self, state: State) -> OutboundMessage:
        sms = state.sms
        assert sms is not None
        ctx = self.context
        media = tuple(m.render(ctx) for m in sms.media)
        return OutboundMessage(
            sms.to.render(ctx), sms.from_.render(ctx), sms.body.render(ctx), media
        )
