"""FE209 unsupported-language: a language code Twilio cannot speak or recognise."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import KeyPath
from flowengine.lint.enums import enums
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.voices import named
from flowengine.lint.walk import states


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    table = enums()
    found: list[tuple[KeyPath, str, frozenset[str], str]] = [
        (path, code, table.say_languages, "speak") for path, code in named(ctx.data, "language")
    ]
    for name, spec in states(ctx.data):
        gather = spec.get("gather")
        if isinstance(gather, dict) and isinstance(gather.get("language"), str):
            where: KeyPath = ("states", name, "gather", "language")
            found.append((where, gather["language"], table.gather_languages, "recognise"))
    for path, code, known, verb in found:
        if code in known:
            continue
        close = difflib.get_close_matches(code, sorted(known), n=1, cutoff=0.6)
        yield ctx.problem(
            RULE,
            path,
            f"Twilio cannot {verb} the language '{code}'",
            hint=f"did you mean '{close[0]}'?" if close else "write a code such as en-US",
        )


RULE = Rule(
    code="FE209",
    name="unsupported-language",
    severity=Severity.ERROR,
    summary="A language code Twilio cannot speak (Say) or recognise (Gather).",
    details=(
        "Language codes for speaking (the flow's 'language', each of its 'languages', a "
        "say's 'language') are checked against Twilio's Say languages, and a gather's "
        "'language' against its speech-recognition languages (twiml-enums.json). Codes "
        "are case-sensitive: en-US, not en-us."
    ),
    check=check,
    passing="""\
start: goodbye
language: en-GB
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: goodbye
language: en-UK
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
)
