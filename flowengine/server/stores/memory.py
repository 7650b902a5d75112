"""In-process session store: for tests and single-process development only."""

from __future__ import annotations

import time
from collections.abc import Callable

from flowengine.runtime.session import CallSession
from flowengine.server.stores.base import DEFAULT_TTL_SECONDS, SessionStore


class MemorySessionStore(SessionStore):
    """Sessions in a dict. Lost on restart and invisible to other processes.

    Records are kept as JSON rather than objects so that a caller mutating a loaded
    session cannot change the stored copy behind the compare-and-set's back.
    """

    def __init__(
        self, ttl: int = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._sessions: dict[str, tuple[float, int, str]] = {}
        self._flows: dict[tuple[str, str], str] = {}

    def _live(self, key: str) -> tuple[float, int, str] | None:
        record = self._sessions.get(key)
        if record is None:
            return None
        if record[0] <= self._clock():
            del self._sessions[key]
            return None
        return record

    async def load(self, key: str) -> CallSession | None:
        record = self._live(key)
        if record is None:
            return None
        session = CallSession.from_json(record[2])
        session.rev = record[1]
        return session

    async def save(self, session: CallSession) -> bool:
        record = self._live(session.key)
        stored_rev = 0 if record is None else record[1]
        if stored_rev != session.rev:
            return False
        session.rev += 1
        self._sessions[session.key] = (self._clock() + self.ttl, session.rev, session.to_json())
        return True

    async def delete(self, key: str) -> None:
        self._sessions.pop(key, None)

    async def save_flow_source(self, flow: str, version: str, source: str) -> None:
        self._flows[(flow, version)] = source

    async def load_flow_source(self, flow: str, version: str) -> str | None:
        return self._flows.get((flow, version))
