"""FE205 shadowed-option: an option in 'on' that an earlier option always wins over."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.speech import contains, words
from flowengine.flow.states import DIGITS, alternatives
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states

_OUTCOMES = ("no-input", "no-match")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    voice = ctx.channel == "voice"
    for name, spec in states(ctx.data):
        on = spec.get("on")
        listens = "gather" in spec if voice else not ("switch" in spec or "redirect" in spec)
        if not isinstance(on, dict) or not listens:
            continue
        keys: set[str] = set()
        phrases: list[tuple[tuple[str, ...], str]] = []
        for key in on:
            for alternative in alternatives(key):
                message = ""
                if alternative in _OUTCOMES or (voice and alternative.startswith("_")):
                    continue
                if voice and DIGITS.match(alternative):
                    if alternative in keys:
                        message = f"key '{alternative}' is already an earlier option"
                    keys.add(alternative)
                else:
                    heard = words(alternative)
                    for earlier, text in phrases:
                        if earlier == heard:
                            message = (
                                f"'{alternative}' is the same as '{text}' once case and "
                                "punctuation are ignored"
                            )
                        elif contains(heard, earlier):
                            message = (
                                f"'{alternative}' can never match: whatever contains it also "
                                f"contains '{text}', which is tried first"
                            )
                        if message:
                            break
                    if heard:
                        phrases.append((heard, alternative))
                if message:
                    path = ("states", name, "on", key)
                    yield ctx.problem(
                        RULE,
                        path,
                        f"state '{name}': {message}",
                        key=True,
                        offset=ctx.offset(path, alternative, key=True),
                        hint="remove it, or move it before the option that wins",
                    )


RULE = Rule(
    code="FE205",
    name="shadowed-option",
    severity=Severity.ERROR,
    summary="An option in 'on' that can never be chosen because an earlier one always wins.",
    details=(
        "Speech and text options are compared word by word, ignoring case and punctuation, "
        "and the first option whose words appear in what the caller said wins. So 'Sales!' "
        "after 'sales' can never match, nor can 'front desk' after 'desk'. A key listed "
        "twice goes to the first option only."
    ),
    check=check,
    passing="""\
start: menu
states:
  menu:
    gather:
      say: Say front desk or sales.
    on:
      "front desk": goodbye
      "desk, sales": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    gather:
      say: Say front desk or sales.
    on:
      "desk, sales": goodbye
      "front desk": goodbye
      no-input: goodbye
  goodbye:
    hangup: true
""",
)
