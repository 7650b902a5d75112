"""The callback URL scheme, built and read in this one place.

The compiler writes these URLs into the TwiML, the server routes them, and the simulator
reads them back out of the TwiML to know which webhook Twilio would post next.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

# Starlette route patterns; the builders below write URLs that match them.
VOICE_ENTRY = "/voice/{flow}"
VOICE_CALLBACK = "/voice/{flow}/{state}/{event}"
WAIT = "/wait/{flow}"
SMS = "/sms/{flow}"
STATUS = "/status"
RECORDING = "/recording/{flow}"
TRANSCRIPTION = "/transcription"
DEQUEUED = "/dequeued"


def transcription(prefix: str) -> str:
    """Where Twilio posts a recording's transcription, for the call history."""
    return f"{prefix}{TRANSCRIPTION}"


def entry(prefix: str, flow: str, state: str | None = None) -> str:
    """A flow's voice entry: the Voice webhook of a number, or where a hand-over goes."""
    url = f"{prefix}/voice/{quote(flow, safe='')}"
    return f"{url}?{urlencode({'state': state})}" if state else url


def callback(prefix: str, flow: str, state: str, event: str) -> str:
    """Where Twilio posts the outcome of a state's verb (gather, dial, record, ...)."""
    return f"{prefix}/voice/{flow}/{state}/{event}"


def recording(prefix: str, flow: str) -> str:
    """Where Twilio reports on a recording of the whole call (recordingStatusCallback)."""
    return f"{prefix}/recording/{flow}"


def dequeued(prefix: str) -> str:
    """A dialled queue's url: Twilio fetches it as an agent takes a caller (callbacks move up)."""
    return f"{prefix}{DEQUEUED}"


def wait(prefix: str, flow: str) -> str:
    """A queue's waitUrl: the flow callers hear while they wait."""
    return f"{prefix}/wait/{flow}"


@dataclass(frozen=True)
class Target:
    """What a URL in the TwiML points at: a flow's entry, one of its callbacks, or outside."""

    url: str
    flow: str = ""
    state: str | None = None
    event: str = ""

    @property
    def outside(self) -> bool:
        return not self.flow


def read(url: str) -> Target:
    """The inverse of the builders, tolerant of a URL prefix in front of the scheme."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return Target(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 4 and segments[-4] == "voice":
        return Target(url, segments[-3], segments[-2], segments[-1])
    if len(segments) >= 2 and segments[-2] == "voice":
        state = parse_qs(parts.query).get("state", [None])[0]
        return Target(url, segments[-1], state)
    return Target(url)
