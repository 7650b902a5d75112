"""FE210 voice-language-mismatch: a voice asked to speak a language it does not speak."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.enums import primary, voice_languages
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.voices import pairs


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    reported = set()
    for path, voice, code in pairs(ctx.data):
        if not voice or not code or path in reported:
            continue
        speaks = voice_languages(voice)
        if speaks is None or primary(code) in speaks:
            continue
        reported.add(path)
        yield ctx.problem(
            RULE,
            path,
            f"the voice '{voice}' does not speak '{code}' ({', '.join(sorted(speaks))} only)",
            hint="pick a voice for that language, or the language code the voice speaks",
        )


RULE = Rule(
    code="FE210",
    name="voice-language-mismatch",
    severity=Severity.WARNING,
    summary="A voice paired with a language code it does not speak.",
    details=(
        "Google voice names carry their language (Google.fr-FR-...); Amazon Polly voices "
        "are looked up in a small table of the language each one speaks. Only the language "
        "is compared, not the country (Polly.Amy with en-US is fine). Voices not in the "
        "table (man, woman, alice) are not checked."
    ),
    check=check,
    passing="""\
start: goodbye
voice: Polly.Celine
language: fr-FR
states:
  goodbye:
    say: Au revoir.
    hangup: true
""",
    failing="""\
start: goodbye
voice: Polly.Celine
language: en-US
states:
  goodbye:
    say: Goodbye.
    hangup: true
""",
)
