"""FE204 impossible-digits: a key option the caller can never enter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.states import DIGITS, alternatives
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states


def pattern_length(pattern: str) -> int:
    """The fewest keys a `_` pattern matches: ranges count one, '!' none."""
    length, index = 0, 0
    while index < len(pattern):
        if pattern[index] == "[":
            index = pattern.find("]", index) + 1 or len(pattern)
            length += 1
            continue
        length += pattern[index] != "!"
        index += 1
    return length


def _problem(key: str, gather: dict[str, Any]) -> str:
    pattern = key.startswith("_")
    keys = key[1:] if pattern else key
    if gather.get("input") == "speech":
        return f"'{key}' is a key, but this gather only listens for speech"
    finish = gather.get("finish_on_key", "#")
    literal = "".join(c for c in keys if c in "0123456789*#") if pattern else keys
    if finish and finish in literal:
        return f"'{key}' can never be entered: '{finish}' ends the input and is not part of it"
    limit = gather.get("digits")
    length = pattern_length(keys) if pattern else len(keys)
    if isinstance(limit, int) and length > limit:
        return f"'{key}' needs {length} keys, but the gather stops after {limit}"
    return ""


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    if ctx.channel != "voice":
        return
    for name, spec in states(ctx.data):
        gather, on = spec.get("gather"), spec.get("on")
        if not isinstance(gather, dict) or not isinstance(on, dict):
            continue
        for key in on:
            for alternative in alternatives(key):
                if not (DIGITS.match(alternative) or alternative.startswith("_")):
                    continue
                message = _problem(alternative, gather)
                if message:
                    path = ("states", name, "on", key)
                    yield ctx.problem(
                        RULE,
                        path,
                        f"state '{name}': {message}",
                        key=True,
                        offset=ctx.offset(path, alternative, key=True),
                        hint="change the key, or the gather's digits / finish_on_key / input",
                    )


RULE = Rule(
    code="FE204",
    name="impossible-digits",
    severity=Severity.ERROR,
    summary="A key option in a gather that the caller can never enter.",
    details=(
        "A key longer than the gather's 'digits' (Twilio stops listening after that many "
        "keys), a key or pattern containing the finish key ('#' unless finish_on_key says "
        "otherwise: it ends the input and is not sent), or keys in a gather that only "
        "listens for speech."
    ),
    check=check,
    passing="""\
start: menu
states:
  menu:
    gather:
      digits: 2
      say: Enter your two-digit code.
    on:
      "12": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      digits: 1
      say: Enter your two-digit code.
    on:
      "12": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
)
