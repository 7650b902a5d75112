"""FE106 invalid-ssml, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.INVALID_SSML.code,
    name=codes.INVALID_SSML.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="SSML tags in a say text are not well formed, or not tags Twilio knows.",
    details=(
        "Twilio accepts break, emphasis, lang, p, phoneme, prosody, s, say-as, sub and w."
        " Write & as &amp; and close every tag."
    ),
    passing="""\
start: menu
states:
  menu:
    say: 'Hello.<break time="1s"/>Goodbye.'
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: 'Hello.<pause time="1s"/>Goodbye.'
    hangup: true
""",
)
