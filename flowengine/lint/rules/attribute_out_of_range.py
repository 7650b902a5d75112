"""FE212 attribute-out-of-range: a value Twilio's verbs do not accept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import KeyPath
from flowengine.lint.enums import enums
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states

# (key, lowest, highest) of numbers the schema cannot bound by itself.
DIAL_RANGES = (("timeout", 5, 600), ("time_limit", 1, None))


def _plays(gather: dict[str, Any], path: KeyPath) -> Iterator[KeyPath]:
    if isinstance(gather.get("play"), dict) and "digits" in gather["play"]:
        yield (*path, "play", "digits")
    for index, item in enumerate(gather.get("prompts") or []):
        play = item.get("play") if isinstance(item, dict) else None
        if isinstance(play, dict) and "digits" in play:
            yield (*path, "prompts", index, "play", "digits")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    for name, spec in states(ctx.data):
        dial = spec.get("dial")
        if isinstance(dial, dict):
            for key, low, high in DIAL_RANGES:
                value = dial.get(key)
                if isinstance(value, int) and not (
                    value >= low and (high is None or value <= high)
                ):
                    bounds = f"{low} to {high}" if high else f"at least {low}"
                    yield ctx.problem(
                        RULE,
                        ("states", name, "dial", key),
                        f"state '{name}': dial {key} must be {bounds} seconds, not {value}",
                    )
            tone = dial.get("ring_tone")
            if isinstance(tone, str) and tone not in enums().ring_tones:
                yield ctx.problem(
                    RULE,
                    ("states", name, "dial", "ring_tone"),
                    f"state '{name}': '{tone}' is not a ring tone Twilio knows",
                    hint="use a country code: " + ", ".join(sorted(enums().ring_tones)),
                )
        gather = spec.get("gather")
        if isinstance(gather, dict):
            for path in _plays(gather, ("states", name, "gather")):
                yield ctx.problem(
                    RULE,
                    path,
                    f"state '{name}': a play inside a gather cannot send digits",
                    key=True,
                    hint="send the tones in a play before the gather, in a state of its own",
                )


RULE = Rule(
    code="FE212",
    name="attribute-out-of-range",
    severity=Severity.ERROR,
    summary="A value outside what Twilio's verbs accept.",
    details=(
        "Checks the limits the schema cannot express alone: a dial's timeout must be 5 "
        "to 600 seconds (Twilio error 13212) and its time_limit positive; ring_tone must "
        "be one of Twilio's country codes; a play inside a gather cannot send digits."
    ),
    check=check,
    passing="""\
start: sales
states:
  sales:
    dial: {number: "+15551230001", timeout: 20}
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
states:
  sales:
    dial: {number: "+15551230001", timeout: 2}
    next: goodbye
  goodbye:
    hangup: true
""",
)
