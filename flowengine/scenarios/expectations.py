"""What a scenario expects (words heard, state reached, numbers dialled, ...) and the check.

A check compares an Expect with what was seen during one step, or during the whole call,
and returns one readable problem per unmet expectation: expected, then actual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowengine.runtime.interpreter import OutboundMessage
from flowengine.sim.simulate import Turn

if TYPE_CHECKING:
    from flowengine.sim.simulate import Call


@dataclass(frozen=True)
class Text:
    """Heard text: plain words (any case, any spacing) or a regular expression."""

    text: str
    regex: re.Pattern[str] | None = None

    def found_in(self, transcript: str) -> bool:
        if self.regex is not None:
            return self.regex.search(transcript) is not None
        return " ".join(self.text.lower().split()) in " ".join(transcript.lower().split())

    def __str__(self) -> str:
        return f"matches /{self.text}/" if self.regex is not None else f'"{self.text}"'


@dataclass
class Expect:
    hear: list[Text] = field(default_factory=list)
    not_hear: list[Text] = field(default_factory=list)
    state: str | None = None
    flow: str | None = None
    dialled: list[str] | None = None  # None: not checked; []: nothing may be dialled
    sms: list[dict[str, str]] | None = None  # to and/or body; []: no text may be sent
    vars: dict[str, str] = field(default_factory=dict)
    visits: list[str] = field(default_factory=list)
    ended: str | None = None
    call_back: dict[str, str] | None = None  # flow and/or tries of the callback asked for


@dataclass
class Seen:
    """What happened during one step, or during the whole call."""

    lines: list[str] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    texts: list[OutboundMessage] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def add(self, turn: Turn) -> None:
        self.lines += turn.lines
        self.dialled += turn.dialled
        self.texts += turn.texts
        self.visited += turn.visited


def check(expect: Expect, seen: Seen, call: Call) -> list[str]:
    problems: list[str] = []
    heard = "\n".join(seen.lines)
    problems += [f"    expected to hear {t}" for t in expect.hear if not t.found_in(heard)]
    problems += [f"    expected not to hear {t}" for t in expect.not_hear if t.found_in(heard)]
    where = call.state or "(none)"
    if expect.state is not None and expect.state != call.state:
        problems.append(f"    expected state: {expect.state}\n    actual state:   {where}")
    if expect.flow is not None and expect.flow != call.graph.name:
        problems.append(f"    expected flow: {expect.flow}\n    actual flow:   {call.graph.name}")
    dialled = ", ".join(seen.dialled) or "nothing"
    if expect.dialled == [] and seen.dialled:
        problems.append(f"    expected no number to be dialled\n    dialled: {dialled}")
    for number in expect.dialled or []:
        if number not in seen.dialled:
            problems.append(f"    expected to dial {number}\n    dialled: {dialled}")
    if expect.sms == [] and seen.texts:
        sent = "; ".join(f"to {m.to}: {m.body}" for m in seen.texts)
        problems.append(f"    expected no text message\n    sent: {sent}")
    for sms in expect.sms or []:
        if not any(_sms_matches(sms, message) for message in seen.texts):
            sent = "; ".join(f"to {m.to}: {m.body}" for m in seen.texts) or "none"
            wanted = ", ".join(f"{k} {v!r}" for k, v in sms.items())
            problems.append(f"    expected a text message ({wanted})\n    sent: {sent}")
    variables = call.session.vars if call.session is not None else {}
    for name, value in expect.vars.items():
        actual = variables.get(name)
        shown = "(not set)" if actual is None else repr(plain(actual))
        if actual is None or plain(actual) != value:
            problems.append(
                f"    expected vars.{name} = {value!r}\n    actual vars.{name} = {shown}"
            )
    missing = [name for name in expect.visits if name not in seen.visited]
    if missing:
        route = " -> ".join(seen.visited) or "nothing"
        problems.append(f"    expected to pass through {', '.join(missing)}\n    route: {route}")
    if expect.ended is not None and expect.ended != call.ended:
        actual = call.ended or f"not ended, waiting in {call.graph.name}:{where}"
        problems.append(f"    expected the call to end by {expect.ended}\n    actual: {actual}")
    if expect.call_back is not None:
        problems += _call_back(expect.call_back, call)
    return problems


def _call_back(expected: dict[str, str], call: Call) -> list[str]:
    asked = call.asked
    actual = {"flow": asked.flow, "tries": str(asked.tries)} if asked is not None else {}
    if asked is not None and all(actual.get(k) == v for k, v in expected.items()):
        return []
    wanted = ", ".join(f"{k} {v}" for k, v in expected.items())
    shown = f"flow {asked.flow}, tries {asked.tries}" if asked is not None else "none asked for"
    return [f"    expected a callback ({wanted})\n    callback: {shown}"]


def _sms_matches(expected: dict[str, str], message: OutboundMessage) -> bool:
    if "to" in expected and expected["to"] != message.to:
        return False
    body = " ".join(expected.get("body", "").lower().split())
    return body in " ".join(message.body.lower().split())


def plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
