"""FE005 wrong-channel, reported by the compiler."""

from __future__ import annotations

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.lint.rule import Rule

RULE = Rule(
    code=codes.WRONG_CHANNEL.code,
    name=codes.WRONG_CHANNEL.name,
    severity=Severity.ERROR,
    stage="compile",
    summary="A voice key in a text-message flow, or a text-message key in a voice flow.",
    details=(
        "Text-message flows answer with 'reply' and 'media'; voice flows speak with "
        "'say', 'play' and 'pause'."
    ),
    passing="""\
channel: sms
start: menu
states:
  menu:
    reply: Text HOURS for our opening times.
""",
    failing="""\
channel: sms
start: menu
states:
  menu:
    say: Text HOURS for our opening times.
""",
)
