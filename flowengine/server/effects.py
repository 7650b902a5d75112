"""The server's side of effects as data: performing fetches between steps, exactly once.

`settle` takes a step's result that asks for a fetch, sends it, and steps again with the
answer until the flow waits for the caller, ends, or the backend is too slow for the
caller to wait in silence: then the answer so far gets the flow's filler prompt and a
Redirect, and the fetch goes on in the background until Twilio comes back for it.

Once: a webhook Twilio posts twice (a retry after a timeout, or two at the same moment)
must not send the business a second POST, nor the caller a second text. Each webhook that
moves a call gets a number, kept in the session with a fingerprint of what was posted
(`CallSession.hook`). A webhook with the same fingerprint as the last one, for a state the
call has already left, is that webhook again and gets its number; so do two copies that
arrive together (they read the same session). Effects are keyed on the call, the event,
its state and that number: a fetch in flight is joined, a text is claimed once in the
session store (so this holds across server processes too).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from flowengine.flow.graph import Graph
from flowengine.runtime import effects
from flowengine.runtime.effects import FetchRequest, FetchResult
from flowengine.runtime.interpreter import StepResult
from flowengine.runtime.resume import resume
from flowengine.runtime.session import CallSession
from flowengine.server.fetcher import Fetcher
from flowengine.server.stores import SessionStore

# Fetches chained in one webhook (fetch -> ok -> another fetch ...): bounded like hand-overs.
MAX_FETCHES = 4
# How long a finished fetch stays shared for a repeated webhook, in seconds.
KEEP_SECONDS = 60.0
DEFAULT_FILLER_AFTER = 1.0


# Told of every fetch performed: (call, flow, state, result, seconds); the call history
# and the metrics listen through the server's observers.
Fetched = Callable[[str, str, str, FetchResult, float], None]


class Effects:
    def __init__(self, fetcher: Fetcher, filler_after: float = DEFAULT_FILLER_AFTER) -> None:
        self.fetcher = fetcher
        self.filler_after = filler_after
        self.inflight: dict[str, asyncio.Task[FetchResult]] = {}
        self.fetched: Fetched | None = None

    def task(
        self, key: str, request: FetchRequest, call: str, flow: str
    ) -> asyncio.Task[FetchResult]:
        """The fetch for `key`, started once; a second webhook with the same key joins it."""
        task = self.inflight.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._perform(request, call, flow))
            self.remember(key, task)
        return task

    async def _perform(self, request: FetchRequest, call: str, flow: str) -> FetchResult:
        started = time.monotonic()
        answer = await self.fetcher.perform(request, call)
        if self.fetched is not None:
            self.fetched(call, flow, request.state, answer, time.monotonic() - started)
        return answer

    def remember(self, key: str, task: asyncio.Task[FetchResult]) -> None:
        """Share `task` under `key` until a while after it finished (then it is dropped)."""
        self.inflight[key] = task
        task.add_done_callback(lambda _t: self._forget_later(key, task))

    def _forget_later(self, key: str, task: asyncio.Task[FetchResult]) -> None:
        def forget() -> None:
            if self.inflight.get(key) is task:
                del self.inflight[key]

        asyncio.get_running_loop().call_later(KEEP_SECONDS, forget)

    @staticmethod
    def pending_key(call: str, state: str) -> str:
        """Where a fetch answered with a filler waits for Twilio's Redirect."""
        return f"{call}:pending:{state}"

    async def settle(
        self, graph: Graph, result: StepResult, once: str, now: datetime | None
    ) -> StepResult:
        call = result.session.key
        for hop in range(MAX_FETCHES):
            request = result.fetch
            if request is None:
                return result
            task = self.task(f"{once}:{hop}:{request.state}", request, call, graph.name)
            try:
                if request.filler:
                    answer = await asyncio.wait_for(asyncio.shield(task), self.filler_after)
                else:
                    answer = await task
            except TimeoutError:
                # Slow: talk to the caller, and let the Redirect pick the answer up.
                self.remember(self.pending_key(call, request.state), task)
                result.twiml = effects.with_filler(result.twiml, request)
                result.fetch = None
                return result
            result = resume(graph, result, request, answer, now)
        raise RuntimeError(f"more than {MAX_FETCHES} fetches in one answer")

    async def picked_up(self, session: CallSession, state: str) -> FetchResult:
        """The answer a filler's Redirect comes back for. A fetch this process does not hold
        (another server, a restart) is never sent twice: the flow takes its timeout path."""
        task = self.inflight.get(self.pending_key(session.key, state))
        if task is None:
            return FetchResult("timeout")
        return await asyncio.shield(task)


async def claim(store: SessionStore, key: str) -> bool:
    """True for the first to claim `key`, in every process sharing the store.

    The store's compare-and-set on revision 0 is the atomic part: only one save of a new
    record succeeds. The record expires with the store's session TTL.
    """
    marker = CallSession(key=f"once:{key}", flow="", version="", ended=True)
    return await store.save(marker)


def fingerprint(flow: str, kind: str, state: str | None, params: Mapping[str, str]) -> str:
    text = "\x00".join([flow, kind, state or "", *(f"{k}={v}" for k, v in sorted(params.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def hook_number(session: CallSession | None, print_: str, kind: str, state: str | None) -> int:
    """The number of this webhook in its call; a repeat gets the number it had before."""
    if session is None or not session.hook:
        return 1
    last, _, seen = session.hook.partition(":")
    number = int(last) if last.isdigit() else 0
    repeat = seen == print_ and (kind == "call" or session.state != state or session.ended)
    return number if repeat else number + 1
