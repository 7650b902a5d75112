"""FE218 loop-bound-from-caller: a template loop whose length the caller chooses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.templates import MAX_LOOP_ITERATIONS
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import strings

# A for or tablerow tag: what it loops over and its parameters (limit:, offset:).
_LOOP = re.compile(r"{%-?\s*(?:for|tablerow)\s+\w+\s+in\s+(?P<over>.*?)-?%}", re.S)
# `call.` holds what Twilio posted: digits, speech, numbers, anything the caller sent.
_CALLER = re.compile(r"(?<!\w)(?<!\w\.)call\.\w+")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    for path, text in strings(ctx.data):
        for loop in _LOOP.finditer(text):
            read = _CALLER.search(loop.group("over"))
            if read is None:
                continue
            yield ctx.problem(
                RULE,
                path,
                f"this loop's length comes from {read.group()}, which the caller chooses",
                hint="loop over a fixed range or a value the flow sets, e.g. "
                "(1..3), or check the number with a switch first",
                offset=ctx.offset(path, loop.group()),
            )


RULE = Rule(
    code="FE218",
    name="loop-bound-from-caller",
    severity=Severity.WARNING,
    summary="A template loop whose bound or limit comes from caller input.",
    details=(
        "A caller can type or say any number: `{% for i in (1..call.digits) %}` with "
        "99999999 would loop that many times. The server stops any template after "
        f"{MAX_LOOP_ITERATIONS:,} loop iterations or 64 kB of output and answers with the "
        "fallback, so the call ends in an apology instead of the prompt. Only direct reads "
        "of call.* in the loop tag are found, not a value copied into vars first."
    ),
    check=check,
    passing="""\
start: ask
states:
  ask:
    gather: {digits: 1, say: "How many times should I repeat it? Press 1 to 3."}
    on:
      "1, 2, 3": repeat
      no-input: repeat
  repeat:
    say: "{% for i in (1..3) %}Hello. {% endfor %}"
    hangup: true
""",
    failing="""\
start: ask
states:
  ask:
    gather: {digits: 1, say: "How many times should I repeat it? Press 1 to 3."}
    on:
      "1, 2, 3": repeat
      no-input: repeat
  repeat:
    say: "{% for i in (1..call.digits) %}Hello. {% endfor %}"
    hangup: true
""",
)
