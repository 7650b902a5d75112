"""FE006 misplaced-key, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.MISPLACED_KEY.code,
    name=codes.MISPLACED_KEY.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="'on', 'retry' or 'next' where it can never be used.",
    details=(
        "'on' needs a gather, dial, record or enqueue in the same state; 'retry' only "
        "works with a gather; 'next' is never used after hangup, reject, leave, redirect "
        "or switch."
    ),
    passing="""\
start: menu
states:
  menu:
    say: Goodbye.
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: Goodbye.
    hangup: true
    next: menu
""",
)
