"""FE110 unknown-language, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNKNOWN_LANGUAGE.code,
    name=codes.UNKNOWN_LANGUAGE.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A text table or 'set: {language: ...}' names a language the flow does not declare.",
    details=(
        "Declare the flow's languages under 'languages' (the first is the default), then "
        "write texts by those names."
    ),
    passing="""\
start: menu
languages:
  en: {voice: Polly.Joanna, language: en-US}
  fr: {voice: Polly.Lea, language: fr-FR}
states:
  menu:
    say: {en: Goodbye., fr: Au revoir.}
    hangup: true
""",
    failing="""\
start: menu
languages:
  en: {voice: Polly.Joanna, language: en-US}
  fr: {voice: Polly.Lea, language: fr-FR}
states:
  menu:
    say: {en: Goodbye., fr: Au revoir., de: Auf Wiedersehen.}
    hangup: true
""",
)
