"""Try a call in the page: a simulated caller (flowengine.sim) driven by clicks.

Each click becomes the same `Action` the terminal simulator and scenario files use, and
`Call.answer` runs it through `runtime.step`. Each turn is kept so that the finished call
can be written out as a scenario.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowengine.flow.graph import OUTCOMES
from flowengine.runtime.session import CallSession
from flowengine.sim.caller_input import Action
from flowengine.sim.flows import Flows
from flowengine.sim.simulate import Call, Turn

KEEP = 40  # calls kept in memory; the oldest is forgotten first
ACTIONS = ("keys", "speech", "silence", "outcome", "hangup")


class TrialError(ValueError):
    """A click the call cannot take (it ended, an unknown outcome, ...)."""


@dataclass
class Played:
    """One turn as the page and the scenario writer see it."""

    action: Action | None
    turn: Turn
    heard: list[dict[str, str]] = field(default_factory=list)  # {kind, text, language}


@dataclass
class Trial:
    id: str
    flow: str
    caller: str
    at: str  # as typed: "2026-03-02T10:00 America/New_York"
    language: str
    call: Call
    played: list[Played] = field(default_factory=list)
    preset_language: bool = False  # the call began in another language than the flow's first

    def play(self, action: Action | None) -> Played:
        if action is not None:
            self.check(action)
        turn = self.call.begin() if action is None else self.call.answer(action)
        played = Played(action, turn, heard(turn))
        self.played.append(played)
        return played

    def check(self, action: Action) -> None:
        wait = self.call.wait
        if action.kind == "hangup":
            return
        if wait is None:
            raise TrialError("the call has ended; start a new one")
        if wait.event == "gather" and action.kind == "outcome":
            raise TrialError("the call is waiting for keys or words, not an outcome")
        if wait.event in OUTCOMES and (
            action.kind != "outcome" or action.value not in OUTCOMES[wait.event]
        ):
            choices = ", ".join(OUTCOMES[wait.event])
            raise TrialError(f"the call is waiting for the {wait.event} outcome: {choices}")

    def as_json(self, played: Played) -> dict[str, Any]:
        turn, wait = played.turn, self.call.wait
        return {
            "id": self.id,
            "flow": turn.flow,
            "state": turn.state,
            "visited": turn.visited,
            "lines": turn.lines,
            "heard": played.heard,
            "texts": [{"to": t.to, "body": t.body} for t in turn.texts],
            "dialled": turn.dialled,
            "ended": self.call.ended,
            "waiting": None
            if wait is None
            else {
                "event": wait.event,
                "listens_for": list(wait.listens_for),
                "outcomes": list(OUTCOMES.get(wait.event, ())),
            },
        }


def heard(turn: Turn) -> list[dict[str, str]]:
    """Says and plays in order, with the language of each Say for speech synthesis."""
    items: list[dict[str, str]] = []
    for run in turn.runs:
        for element in ET.fromstring(run.result.twiml).iter():
            text = " ".join("".join(element.itertext()).split())
            if element.tag == "Say":
                items.append({"kind": "say", "text": text, "language": element.get("language", "")})
            elif element.tag == "Play" and text:
                items.append({"kind": "play", "text": text, "language": ""})
    return items


class Trials:
    def __init__(self, flows: Flows) -> None:
        self.flows = flows
        self.calls: OrderedDict[str, Trial] = OrderedDict()

    def start(self, flow: str, caller: str, now: datetime, at: str, language: str) -> Trial:
        self.flows.graphs.clear()  # the files may have changed since the last call
        graph = self.flows.get(flow)
        call = Call(graph, self.flows, now, caller=caller)
        if language and language in graph.languages and language != graph.languages[0]:
            # As a hand-over from another flow would: the caller arrives with a language.
            call.session = CallSession(
                call.base["CallSid"], graph.name, graph.version, vars={"language": language}
            )
        trial = Trial(secrets.token_urlsafe(12), flow, caller, at, language, call)
        trial.preset_language = call.session is not None
        self.calls[trial.id] = trial
        while len(self.calls) > KEEP:
            self.calls.popitem(last=False)
        return trial

    def get(self, trial_id: str) -> Trial:
        try:
            return self.calls[trial_id]
        except KeyError:
            raise TrialError("that call is no longer here; start a new one") from None


def action(kind: str, value: str) -> Action:
    if kind not in ACTIONS:
        raise TrialError(f"unknown action '{kind}'; one of {', '.join(ACTIONS)}")
    if kind == "keys" and not value:
        raise TrialError("press at least one key")
    return Action(kind, value.strip())
