"""What a signed webhook gets when the flow cannot answer: never an HTTP error.

Twilio plays "an application error has occurred" for any non-2xx answer or bad TwiML,
so every failure after the signature check becomes one of these documents.
"""

from __future__ import annotations

from liquid.exceptions import LiquidError

from flowengine.flow import twiml
from flowengine.runtime.interpreter import FlowRuntimeError
from flowengine.server.stores import StoreError

# Queue wait music is fetched again and again while the caller waits: hanging up there
# would drop a caller who is still waiting for an agent, so a failed round only pauses.
WAIT_PAUSE_SECONDS = 10


class Unavailable(Exception):
    """A webhook the server cannot run, with a short machine-readable cause for the log."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(detail)
        self.cause = cause


def cause_of(exc: BaseException) -> str:
    if isinstance(exc, Unavailable):
        return exc.cause
    if isinstance(exc, StoreError):
        return "store-error"
    if isinstance(exc, LiquidError) or isinstance(exc.__cause__, LiquidError):
        return "template-error"
    if isinstance(exc, FlowRuntimeError):
        return "flow-error"
    return "internal-error"


class Fallbacks:
    """The fallback documents, rendered once from the operator's settings."""

    def __init__(self, say: str, dial: str = "") -> None:
        parts = [twiml.OPEN]
        if say:
            parts.append(f"<Say>{twiml.text(say)}</Say>")
        if dial:
            parts.append(f"<Dial>{twiml.text(dial)}</Dial>")
        else:
            parts.append("<Hangup/>")
        parts.append(twiml.CLOSE)
        self.voice = "".join(parts)
        self.wait = f'{twiml.OPEN}<Pause length="{WAIT_PAUSE_SECONDS}"/>{twiml.CLOSE}'
        # An apology text costs the sender money and says nothing useful: stay silent.
        self.sms = twiml.EMPTY
        self.status = twiml.EMPTY
