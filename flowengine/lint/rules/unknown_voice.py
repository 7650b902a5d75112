"""FE208 unknown-voice: a voice name Twilio does not know."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.prompts import DEFAULT_VOICE
from flowengine.lint.enums import enums
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.voices import named


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    known = enums().voices
    for path, voice in named(ctx.data, "voice"):
        if voice in known or voice == DEFAULT_VOICE:  # `default`: Twilio's own voice
            continue
        close = difflib.get_close_matches(voice, sorted(known), n=1, cutoff=0.8)
        yield ctx.problem(
            RULE,
            path,
            f"'{voice}' is not a voice Twilio knows",
            hint=f"did you mean '{close[0]}'?"
            if close
            else "use man, woman, alice, Polly.NAME (e.g. Polly.Joanna) or Google.CODE-KIND-X",
        )


RULE = Rule(
    code="FE208",
    name="unknown-voice",
    severity=Severity.ERROR,
    summary="A voice name Twilio does not know.",
    details=(
        "Voices are checked against the names Twilio's TwiML builder accepts "
        "(flowengine/data/twiml-enums.json): man, woman, alice, Amazon Polly voices such as "
        "Polly.Joanna or Polly.Joanna-Neural, and Google voices such as "
        "Google.en-US-Neural2-F. Names are case-sensitive."
    ),
    check=check,
    passing="""\
start: goodbye
voice: Polly.Joanna
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: goodbye
voice: Polly.Joana
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
)
