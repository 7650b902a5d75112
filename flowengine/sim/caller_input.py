"""What a simulated caller does next: press keys, speak, stay silent, hang up, pick an outcome;
and when the call happens (`--at`, a scenario's `at`).

One small language shared by the terminal (`1`, `say yes`, Enter, `hangup`), by
`flowengine simulate --inputs` (`1,silence,speech:yes,dial:busy`) and by scenario files.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flowengine.flow.graph import OUTCOMES
from flowengine.sim.call_back import OUTCOMES as CALLBACK_OUTCOMES
from flowengine.sim.transcript import Wait

KEYS = re.compile(r"^[0-9*#]+$")
PREFIXES = {
    "dial": "dial",
    "record": "record",
    "queue": "enqueue",
    "enqueue": "enqueue",
    "connect": "connect",
}
HANGUP_WORDS = frozenset({"hangup", "hang up", "q", "quit"})
DEFAULT_WAIT_SECONDS = 60


class InputError(ValueError):
    """An input that does not answer what the call is waiting for."""


@dataclass(frozen=True)
class Action:
    kind: str  # keys, speech, silence, outcome, text, hangup, wait (in a queue), callback
    value: str = ""


def split_inputs(text: str) -> list[str]:
    """`1,silence,"text:hi, there"` -> items; quotes keep a comma inside an item."""
    rows = list(csv.reader([text], skipinitialspace=True))
    return [item.strip() for item in rows[0]] if rows else []


def parse(text: str, wait: Wait | None, *, terminal: bool = False) -> Action:
    """Read one input for the verb the call waits on (None: nothing, the call has ended)."""
    raw = text.strip()
    lowered = raw.lower()
    if lowered in HANGUP_WORDS:
        return Action("hangup")
    if lowered.partition(":")[0] == "callback":
        return _callback(raw, lowered)
    if wait is None:
        raise InputError(f"input '{raw}' came after the call ended")
    if wait.event == "sms":
        body = raw[5:] if lowered.startswith("text:") else raw
        return Action("text", body.strip())
    if (wait.event == "enqueue" or wait.in_queue) and lowered.partition(":")[0] == "wait":
        return _wait(raw, lowered)
    if wait.in_queue and lowered.partition(":")[0] in ("queue", "enqueue"):
        return _outcome(raw, lowered, "enqueue")
    if wait.event == "gather":
        return _gather(raw, lowered, terminal)
    return _outcome(raw, lowered, wait.event)


def _gather(raw: str, lowered: str, terminal: bool) -> Action:
    if lowered in ("", "silence", "nothing"):
        return Action("silence")
    for prefix in ("speech:", "say:", "say "):
        if lowered.startswith(prefix):
            words = raw[len(prefix) :].strip()
            return Action("speech", words) if words else Action("silence")
    verb = lowered.partition(":")[0]
    if verb in PREFIXES:
        raise InputError(f"'{raw}' answers a {verb}, but the call is waiting on a menu (gather)")
    if lowered.startswith("keys:") or lowered.startswith("press:"):
        raw = raw.split(":", 1)[1].strip()
    if KEYS.match(raw):
        return Action("keys", raw)
    hint = "say <words>" if terminal else "speech:<words>"
    raise InputError(
        f"'{raw}' is not an answer to a menu: press keys (0-9, *, #), {hint}, silence, or hangup"
    )


def _outcome(raw: str, lowered: str, event: str) -> Action:
    verb, _, outcome = lowered.rpartition(":")
    if verb and PREFIXES.get(verb) != event:
        raise InputError(f"'{raw}' answers a {verb}, but the call is waiting on a {_noun(event)}")
    if lowered == "" and event in OUTCOMES:
        outcome = OUTCOMES[event][0]
    if outcome not in OUTCOMES[event]:
        choices = ", ".join(OUTCOMES[event])
        raise InputError(f"'{raw}' is not an outcome of a {_noun(event)}; choose one of: {choices}")
    return Action("outcome", outcome)


def _callback(raw: str, lowered: str) -> Action:
    """`callback:answered` (or no-answer, busy, ...): how the call the server places for a
    `call_back` ends. Only after the call ended in one (the simulator checks)."""
    outcome = lowered.partition(":")[2].strip() or CALLBACK_OUTCOMES[0]
    if outcome not in CALLBACK_OUTCOMES:
        choices = ", ".join(CALLBACK_OUTCOMES)
        raise InputError(f"'{raw}' is not how a callback call ends; choose one of: {choices}")
    return Action("callback", outcome)


def _wait(raw: str, lowered: str) -> Action:
    """`wait` or `wait:SECONDS`: the caller stays in the queue; Twilio plays the wait flow
    again, SECONDS (default 60) later by the QueueTime it posts."""
    _, _, seconds = lowered.partition(":")
    seconds = seconds.strip() or str(DEFAULT_WAIT_SECONDS)
    if not seconds.isdigit() or int(seconds) < 1:
        raise InputError(f"'{raw}': write wait:SECONDS, e.g. wait:120")
    return Action("wait", seconds)


def _noun(event: str) -> str:
    return "queue" if event == "enqueue" else event


def prompt(wait: Wait) -> str:
    """The question the terminal asks while the call waits on `wait`."""
    if wait.event == "sms":
        return "text> "
    if wait.event == "gather":
        queue = "queue:<outcome>, wait[:seconds], " if wait.in_queue else ""
        return f"keys, say <words>, Enter for silence, {queue}hangup> "
    outcomes = OUTCOMES[wait.event]
    more = ", wait[:seconds]" if wait.event == "enqueue" else ""
    return f"{_noun(wait.event)} outcome [{'/'.join(outcomes)}] (Enter = {outcomes[0]}){more}> "


def parse_time(text: str) -> datetime:
    """ISO 8601 with an offset or Z (`2026-03-02T10:00-05:00`), or local time and a zone name
    (`2026-03-02T10:00 America/New_York`)."""
    value, _, zone = text.strip().partition(" ")
    try:
        moment = datetime.fromisoformat(value.strip())
        if zone.strip():
            if moment.tzinfo is not None:
                raise ValueError("give an offset or a time zone name, not both")
            moment = moment.replace(tzinfo=ZoneInfo(zone.strip()))
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise ValueError(f"'{text}' is not a date and time ({exc})") from exc
    if moment.tzinfo is None:
        raise ValueError(
            f"'{text}' has no time zone: add an offset (-05:00), Z, or a zone name "
            "(2026-03-02T10:00 America/New_York)"
        )
    return moment
