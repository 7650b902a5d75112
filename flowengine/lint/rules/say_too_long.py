"""FE211 say-too-long: a say text over Twilio's length limit for its voice."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.templates import LIQUID_MARKUP
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import says, texts

BASIC_LIMIT = 4096


def limit(voice: str | None) -> int:
    if voice and voice.startswith("Polly."):
        return 3000
    if voice and voice.startswith("Google."):
        return 5000
    return BASIC_LIMIT


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    reported = set()
    for path, value in says(ctx.data):
        for text in texts(ctx.data, path, value):
            length = len(LIQUID_MARKUP.sub("", text.text))  # template values only add to it
            most = limit(text.voice)
            if length > most and text.path not in reported:
                reported.add(text.path)
                voice = f"the voice {text.voice}" if text.voice else "the default voice"
                yield ctx.problem(
                    RULE,
                    text.path,
                    f"this text has {length} characters; Twilio's limit for {voice} is {most}",
                    hint="split it into several says (a prompts list)",
                )


RULE = Rule(
    code="FE211",
    name="say-too-long",
    severity=Severity.ERROR,
    summary="A say text longer than Twilio allows for its voice.",
    details=(
        "Twilio refuses (error 13521) a Say over 4,096 characters with the basic voices, "
        "3,000 with Amazon Polly voices and 5,000 with Google voices. Template values are "
        "not counted, so a text with {{ ... }} can still be too long at run time."
    ),
    check=check,
    passing="""\
start: goodbye
voice: Polly.Joanna
states:
  goodbye:
    say: Thank you for calling. Goodbye.
    hangup: true
""",
    failing="""\
start: goodbye
voice: Polly.Joanna
states:
  goodbye:
    say: "Thank you for calling. {text}"
    hangup: true
""".replace("{text}", "Goodbye. " * 340),
)
