"""FE001 yaml-syntax, reported by the YAML loader."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.YAML_SYNTAX.code,
    name=codes.YAML_SYNTAX.name,
    severity=Severity.ERROR,
    stage="yaml",
    summary="The file is not valid YAML.",
    details=(
        "Reported by the loader, with the line and column where the YAML parser gave up. "
        "The usual causes are a text containing ': ' without quotes, tabs used for "
        "indentation, and a text starting with '*' or '&'."
    ),
    passing="""\
start: menu
states:
  menu:
    say: "For sales, press 1: we are happy to help."
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: For sales, press 1: we are happy to help.
    hangup: true
""",
)
