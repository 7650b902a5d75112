"""FE000 unreadable, reported when a flow file cannot be opened or read at all."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.UNREADABLE.code,
    name=codes.UNREADABLE.name,
    severity=Severity.ERROR,
    stage="read",
    summary="The file cannot be read (permissions, or it vanished while being read).",
    details=(
        "Reported at line 1, column 1 with the operating system's reason. The server "
        "reports the same code for a flow file it cannot read; a file that is not UTF-8 "
        "text is a yaml-syntax problem (FE001) instead."
    ),
    passing="""\
start: goodbye
states:
  goodbye:
    hangup: true
""",
    failing="",  # no text can show it: any text is readable
)
