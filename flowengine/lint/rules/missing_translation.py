"""FE214 missing-translation: a text table without a text for one of the flow's languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import KeyPath
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import says, states


def _tables(data: dict[str, Any]) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    for path, value in says(data):
        if isinstance(value, dict) and isinstance(value.get("text"), dict):
            yield (*path, "text"), value["text"]
        elif isinstance(value, dict) and "text" not in value:
            yield path, value
    for name, spec in states(data):
        if isinstance(spec.get("reply"), dict):
            yield ("states", name, "reply"), spec["reply"]


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    declared = list(ctx.data.get("languages") or {})
    if len(declared) < 2:
        return
    for path, table in _tables(ctx.data):
        missing = [language for language in declared if language not in table]
        if missing:
            fallback = declared[0] if declared[0] in table else next(iter(table))
            yield ctx.problem(
                RULE,
                path,
                f"no {', '.join(missing)} text here: callers who chose "
                f"{', '.join(missing)} hear the {fallback} text",
                hint=f"add {missing[0]}: with the translation",
            )


RULE = Rule(
    code="FE214",
    name="missing-translation",
    severity=Severity.WARNING,
    summary="A text table that lacks one of the flow's languages.",
    details=(
        "When a flow declares several languages, a say (or reply) written as a table of "
        "texts by language should have a text for each; otherwise callers who chose the "
        "missing language hear the first language's text. A plain text (not a table) is "
        "the same for every language and is not reported."
    ),
    check=check,
    passing="""\
start: goodbye
languages:
  en: {voice: Polly.Joanna, language: en-US}
  fr: {voice: Polly.Lea, language: fr-FR}
states:
  goodbye:
    say: {en: Goodbye., fr: Au revoir.}
    hangup: true
""",
    failing="""\
start: goodbye
languages:
  en: {voice: Polly.Joanna, language: en-US}
  fr: {voice: Polly.Lea, language: fr-FR}
states:
  goodbye:
    say: {en: Goodbye.}
    hangup: true
""",
)
