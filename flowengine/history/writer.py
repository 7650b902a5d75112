"""The history writer: a queue the webhooks append to, and one task that writes batches.

A webhook only appends (no I/O, no await). The task writes what is queued every
`interval` seconds (one by default) or as soon as a batch fills, in one transaction.
When the store is down, the batch goes back to the front of the queue and is tried
again later, with a growing pause; the call in progress never notices. Past `max_queue`
items, the oldest are dropped and counted (memory must stay bounded through a long
outage).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flowengine.history.record import Note, Step
from flowengine.history.stores.base import HistoryStore

log = logging.getLogger("flowengine.history")

BATCH = 500
# Fewer, larger transactions: a batch a second cost the server less than half the CPU
# per webhook of five a second (bench, docs/performance.md); a kill -9 loses at most
# this much of the queue, and the next webhook of a call restores its path.
INTERVAL_SECONDS = 1.0
MAX_QUEUE = 200_000
MAX_BACKOFF_SECONDS = 5.0
HOUSEKEEPING_SECONDS = 60.0
DAY = 24 * 60 * 60


@dataclass
class Counts:
    written: int = 0
    failed_batches: int = 0  # writes that failed and were put back to be tried again
    dropped: int = 0  # items lost because the queue was full during an outage
    closed_by_expiry: int = 0
    purged: int = 0


class HistoryWriter:
    def __init__(
        self,
        store: HistoryStore,
        *,
        session_ttl: float = DAY,
        retention_days: float = 30,
        max_queue: int = MAX_QUEUE,
        interval: float = INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.session_ttl = session_ttl
        self.retention_days = retention_days
        self.max_queue = max_queue
        self.interval = interval
        self.clock = clock
        self.queue: deque[Step | Note] = deque()
        self.counts = Counts()
        # The metrics count store errors and drops, and show the queue's length.
        self.on_error: Callable[[], None] | None = None
        self.on_drop: Callable[[], None] | None = None
        self.on_pending: Callable[[int], None] | None = None
        self._wake: asyncio.Event | None = None
        self._finished: asyncio.Event | None = None
        self._stopping = False
        self._next_housekeeping = 0.0

    def append(self, item: Step | Note) -> None:
        self.queue.append(item)
        if len(self.queue) > self.max_queue:
            self.queue.popleft()
            self.counts.dropped += 1
            if self.on_drop is not None:
                self.on_drop()
        if len(self.queue) >= BATCH and self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self.queue)

    async def run(self) -> None:
        """The writer task: runs until `stop()`, then writes what is left (if it can)."""
        self._wake = asyncio.Event()
        self._finished = asyncio.Event()
        backoff = 0.0
        try:
            while not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=backoff or self.interval)
                self._wake.clear()
                if self._stopping:
                    break  # the final flush is close()'s
                ok = await self.flush_once()
                if self.on_pending is not None:
                    self.on_pending(len(self.queue))
                backoff = 0.0 if ok else min(MAX_BACKOFF_SECONDS, max(0.1, backoff * 2))
                if ok and not self._stopping and self.clock() >= self._next_housekeeping:
                    await self.housekeeping()
        finally:
            self._finished.set()

    async def stopped(self) -> None:
        """Stop the task and wait until it has let go of the store."""
        self.stop()
        if self._finished is not None:
            await self._finished.wait()

    def stop(self) -> None:
        self._stopping = True
        if self._wake is not None:
            self._wake.set()

    async def flush_once(self) -> bool:
        """Write up to one batch; False when the store failed (the batch is queued again)."""
        while self.queue:
            batch = [self.queue.popleft() for _ in range(min(BATCH, len(self.queue)))]
            try:
                await self.store.write(batch)
            except Exception as exc:
                self.queue.extendleft(reversed(batch))
                self.counts.failed_batches += 1
                if self.on_error is not None:
                    self.on_error()
                log.warning(
                    "history store: %d records not written yet (%s); trying again",
                    len(self.queue),
                    str(exc)[:200],
                )
                return False
            self.counts.written += len(batch)
            if len(batch) < BATCH:
                break
            await asyncio.sleep(0)  # let webhooks run between full batches
        return True

    async def flush(self, deadline_seconds: float = 10.0) -> bool:
        """On shutdown: everything queued, trying until the deadline."""
        end = time.monotonic() + deadline_seconds
        while self.queue:
            if await self.flush_once():
                continue
            if time.monotonic() >= end:
                log.error("history store: %d records could not be written", len(self.queue))
                return False
            await asyncio.sleep(0.2)
        return True

    async def housekeeping(self) -> None:
        """Close calls whose session expired without a status callback; apply retention."""
        now = self.clock()
        self._next_housekeeping = now + HOUSEKEEPING_SECONDS
        try:
            self.counts.closed_by_expiry += await self.store.close_stale(now - self.session_ttl)
            if self.retention_days > 0:
                self.counts.purged += await self.store.purge(now - self.retention_days * DAY)
        except Exception as exc:
            log.warning("history store: housekeeping failed (%s)", str(exc)[:200])
