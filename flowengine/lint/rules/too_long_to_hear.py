"""FE225 too-long-to-hear: a prompt that takes too long to hear, or a menu with too many options.

The limits are set in [tool.flowengine.lint] (`max-prompt-seconds`, `max-menu-options`,
`words-per-minute`); the seconds are estimated the way `flowengine diff` and
`flowengine experience` estimate them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.diff import heard
from flowengine.diff.heard import Language
from flowengine.flow.loader import KeyPath
from flowengine.flow.templates import LIQUID_MARKUP
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules.say_too_long import limit
from flowengine.lint.walk import says, texts

# Callers forget the first options of a long menu; voice-interface guidance says no more
# than four or five options, and a prompt of about half a minute at most.
DEFAULTS: dict[str, float] = {
    "max-prompt-seconds": 30.0,
    "max-menu-options": 5,
    "words-per-minute": heard.WORDS_PER_MINUTE,
}


def limits(ctx: FlowContext) -> dict[str, float]:
    return {key: float(ctx.extra.get(key, value)) for key, value in DEFAULTS.items()}


def _prompt_path(spec: dict[str, Any], name: str) -> KeyPath:
    gather = spec.get("gather")
    for where, source in (((), spec), (("gather",), gather)):
        if isinstance(source, dict):
            for key in ("say", "prompts"):
                if key in source:
                    return ("states", name, *where, key)
    return ("states", name)


def _refused(ctx: FlowContext, name: str) -> bool:
    """A text of the state is over Twilio's length limit: say-too-long reports it already."""
    return any(
        len(LIQUID_MARKUP.sub("", text.text)) > limit(text.voice)
        for path, value in says(ctx.data)
        if path[:2] == ("states", name)
        for text in texts(ctx.data, path, value)
    )


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    if graph.channel != "voice":
        return
    most = limits(ctx)
    default = graph.languages[0]
    for name, state in graph.states.items():
        spec = ctx.data["states"][name]
        longest = max(
            (
                (
                    heard.seconds(
                        heard.prompt(spec, Language(lang, default)), most["words-per-minute"]
                    ),
                    lang,
                )
                for lang in graph.languages
            ),
        )
        if longest[0] > most["max-prompt-seconds"] and not _refused(ctx, name):
            language = f" in {longest[1]}" if longest[1] else ""
            yield ctx.problem(
                RULE,
                _prompt_path(spec, name),
                f"state '{name}' takes about {longest[0]:.0f} s to hear{language} "
                f"(limit {most['max-prompt-seconds']:g} s at {most['words-per-minute']:g} words "
                "a minute)",
                key=True,
                hint="say less, or split it into a shorter question and a follow-up menu",
            )
        options = [key for key in spec.get("on") or {} if key not in ("no-input", "no-match")]
        if state.action == "gather" and len(options) > most["max-menu-options"]:
            yield ctx.problem(
                RULE,
                ("states", name, "on"),
                f"menu '{name}' offers {len(options)} options "
                f"(limit {most['max-menu-options']:g}); callers forget the first ones",
                key=True,
                hint="group the options into a shorter menu with sub-menus",
            )


RULE = Rule(
    code="FE225",
    name="too-long-to-hear",
    severity=Severity.WARNING,
    summary="A prompt that takes too long to hear, or a menu with too many options.",
    details=(
        "Seconds are estimated from the words at a speaking rate, plus pauses (audio files "
        "count for nothing). The limits are set in [tool.flowengine.lint]: "
        "max-prompt-seconds (default 30), max-menu-options (default 5, not counting "
        "no-input and no-match) and words-per-minute (default 150)."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: menu
states:
  menu:
    gather:
      digits: 1
      say: For sales, press 1. For support, press 2.
    on:
      "1": desk
      "2": desk
      no-input: desk
  desk:
    dial: "+15551230001"
    next: goodbye
  goodbye:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      digits: 1
      say: For sales, press 1. For support, press 2. For billing, press 3.
    on:
      "1": desk
      "2": desk
      "3": desk
      "4": desk
      "5": desk
      "6": desk
      no-input: desk
  desk:
    dial: "+15551230001"
    next: goodbye
  goodbye:
    say: Goodbye.
    hangup: true
""",
)
