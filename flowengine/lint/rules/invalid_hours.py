"""FE108 invalid-hours, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.INVALID_HOURS.code,
    name=codes.INVALID_HOURS.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="Opening hours with an unknown time zone, a range that runs backwards, or a bad date.",
    details=(
        "Time zones are IANA names such as America/New_York; a range past midnight must "
        "be split over two days."
    ),
    passing="""\
start: goodbye
hours:
  office: {timezone: Europe/Paris, weekly: {mon-fri: "09:00-17:00"}}
states:
  goodbye:
    hangup: true
""",
    failing="""\
start: goodbye
hours:
  office: {timezone: Europe/Pariss, weekly: {mon-fri: "09:00-17:00"}}
states:
  goodbye:
    hangup: true
""",
)
