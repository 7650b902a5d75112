"""FE002 duplicate-key, reported by the YAML loader."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.DUPLICATE_KEY.code,
    name=codes.DUPLICATE_KEY.name,
    severity=Severity.ERROR,
    stage="yaml",
    summary="A key is written twice in the same mapping.",
    details=(
        "YAML would silently keep the last one; flowengine refuses the file instead, "
        "pointing at the second key."
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
    say: Hello.
    say: Goodbye.
    hangup: true
""",
)
