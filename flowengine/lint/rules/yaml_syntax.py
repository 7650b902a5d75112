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
        "Reported by the loader on the line to change, shown with a caret, and in words for "
        "the usual mistakes: a key without its colon, a text containing ': ' without quotes, "
        "a quote that is never closed, a line indented more or less than its neighbours, a "
        "tab used for indentation, a list item ('- ') among keys, and a text starting with "
        "'*' or '&'."
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
