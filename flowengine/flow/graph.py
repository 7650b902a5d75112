"""The compiled form of a flow: states with precompiled TwiML fragments, and labelled edges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flowengine.flow.conditions import Predicate
from flowengine.flow.hours import Hours
from flowengine.flow.loader import Document
from flowengine.flow.templates import Template
from flowengine.flow.twiml import Fragment

# Actions after which Twilio calls back with an outcome.
WAITING = frozenset({"gather", "dial", "record", "enqueue", "connect"})
# Actions that end the TwiML document for good.
TERMINAL = frozenset({"hangup", "reject", "redirect", "leave", "call_back"})

DIAL_OUTCOMES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")
RECORD_OUTCOMES = ("recorded", "no-recording")
QUEUE_OUTCOMES = (
    "bridged",
    "bridging-in-process",
    "error",
    "hangup",
    "leave",
    "redirected",
    "redirected-from-bridged",
    "queue-full",
    "system-error",
)
FETCH_OUTCOMES = ("ok", "error", "timeout", "bad-response")
CONNECT_OUTCOMES = ("completed", "failed")
OUTCOMES: dict[str, tuple[str, ...]] = {
    "dial": DIAL_OUTCOMES,
    "fetch": FETCH_OUTCOMES,
    "connect": CONNECT_OUTCOMES,
    "record": RECORD_OUTCOMES,
    "enqueue": QUEUE_OUTCOMES,
}


@dataclass(frozen=True)
class Target:
    state: str
    sets: tuple[tuple[str, Template | Any], ...] = ()
    label: str = "next"


@dataclass(frozen=True)
class Case:
    when: Predicate | None
    target: Target


@dataclass(frozen=True)
class Retry:
    max: int = 3
    no_input: tuple[dict[str, Fragment], ...] = ()
    no_match: tuple[dict[str, Fragment], ...] = ()
    then: Target | None = None


@dataclass(frozen=True)
class Sms:
    to: Template
    from_: Template
    body: Template
    media: tuple[Template, ...] = ()


@dataclass(frozen=True)
class Fetch:
    """A request to the business's own system, with templates rendered at run time."""

    method: str
    url: Template
    headers: tuple[tuple[str, Template], ...]
    body: tuple[tuple[str, Any], ...] | None  # JSON fields (values may be templates)
    form: tuple[tuple[str, Template], ...] | None
    timeout: float
    retry: int
    save: str
    filler: dict[str, Fragment] = field(default_factory=dict)  # by language; empty: none
    callback: str = ""  # where a Redirect picks the result up when the answer is slow
    sensitive: bool = False  # an answer the call history must never keep


# Calls a callback places at most when the caller does not answer, unless the flow says.
DEFAULT_TRIES = 3


@dataclass(frozen=True)
class CallBack:
    """Call the caller back later with `flow`, placing at most `tries` calls."""

    flow: str
    tries: int


@dataclass
class State:
    name: str
    action: str  # gather, dial, ..., switch, or "" for a state that only speaks
    sets: tuple[tuple[str, Template | Any], ...] = ()
    sms: Sms | None = None
    prompts: dict[str, Fragment] = field(default_factory=dict)  # by language
    verb: dict[str, Fragment] = field(default_factory=dict)  # the action's TwiML, by language
    on: dict[str, Target] = field(default_factory=dict)  # exact keys, outcomes, keywords
    patterns: tuple[tuple[Any, Target], ...] = ()  # compiled regex for `_1XX` digit patterns
    phrases: tuple[tuple[tuple[str, ...], Target], ...] = ()
    cases: tuple[Case, ...] = ()
    next: Target | None = None
    retry: Retry | None = None
    handoff: tuple[str, str | None] | None = None  # (flow, state) for a redirect to a flow
    sensitive: bool = False  # a gather whose answer the call history must never keep
    fetch: Fetch | None = None
    split: tuple[tuple[int, Target], ...] = ()  # (percent, branch), in the order written
    call_back: CallBack | None = None
    line: int = 1

    @property
    def waits(self) -> bool:
        return self.action in WAITING or (self.action == "" and self.listens)

    @property
    def ends(self) -> bool:
        """The call stops here or leaves the flow (a redirect to one of its states goes on)."""
        return self.action in TERMINAL and self.next is None

    @property
    def listens(self) -> bool:
        """A text-message state that waits for the next text."""
        return bool(self.on or self.phrases or self.patterns)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass
class Graph:
    name: str
    version: str
    path: str
    channel: str
    start: str
    states: dict[str, State]
    languages: tuple[str, ...]
    settings: dict[str, Any]
    hours: dict[str, Hours]
    edges: tuple[Edge, ...]
    document: Document
    url_prefix: str = ""
    on_entry: Fragment = ()  # TwiML started when a call enters the flow (record_call)

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.document.data
        return data


# -- the ways out of a state, for the compiler's checks, lint rules, diagrams and coverage --


def successors(state: State) -> list[Target]:
    """The states a state moves on to without waiting for the caller."""
    targets = [case.target for case in state.cases]
    targets += [target for _, target in state.split]
    if state.next is not None:
        targets.append(state.next)
    return targets


def targets(state: State) -> Iterator[Target]:
    """Every way out of a state, each once."""
    seen: set[int] = set()
    candidates: list[Target] = [*state.on.values(), *(t for _, t in state.patterns)]
    candidates += [t for _, t in state.phrases]
    candidates += successors(state)
    if state.retry is not None and state.retry.then is not None:
        candidates.append(state.retry.then)
    for target in candidates:
        if id(target) not in seen:
            seen.add(id(target))
            yield target


def edges(states: dict[str, State]) -> tuple[Edge, ...]:
    return tuple(
        Edge(name, target.state, target.label)
        for name, state in states.items()
        for target in targets(state)
    )
