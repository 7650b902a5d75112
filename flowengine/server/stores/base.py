"""The session store interface that every backend implements."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from flowengine.runtime.session import CallSession

# Longer than any call can last (Twilio ends calls after 24 hours); counted from the last save.
DEFAULT_TTL_SECONDS = 24 * 60 * 60


# Up to the last "@" of the URL, as redis-py reads it: a password may hold "@", "/", "#"
# or "?" unescaped, and none of its characters may show.
_USERINFO = re.compile(r"(?<=://)[^\s'\"]*@")


def redact(text: str) -> str:
    """A store URL (or a message quoting one) without its user and password."""
    return _USERINFO.sub("***@", text)


class StoreError(Exception):
    """The store could not be reached or answered badly (the web layer renders fallback TwiML)."""


class SessionStore(ABC):
    """Call sessions keyed by CallSid, plus the flow sources that live calls still use.

    `save` is compare-and-set on `CallSession.rev`: it writes only when the stored
    revision still equals `session.rev` (0 for a new session), bumps `rev` on success and
    returns False when another request got there first, so the caller can reload and retry.
    """

    ttl: int = DEFAULT_TTL_SECONDS

    @abstractmethod
    async def load(self, key: str) -> CallSession | None: ...

    @abstractmethod
    async def save(self, session: CallSession) -> bool: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def save_flow_source(self, flow: str, version: str, source: str) -> None:
        """Keep a flow version's YAML so another server process can compile it for live calls."""

    @abstractmethod
    async def load_flow_source(self, flow: str, version: str) -> str | None: ...

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None
