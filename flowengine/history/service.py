"""The call history as the server runs it: store, writer task and observer together."""

from __future__ import annotations

import logging

from flowengine.history.observe import HistoryObserver, Lookup
from flowengine.history.stores import HistoryStore, open_history
from flowengine.history.writer import HistoryWriter

log = logging.getLogger("flowengine.history")


class History:
    def __init__(self, store: HistoryStore, lookup: Lookup, session_ttl: float, days: float):
        self.store = store
        self.writer = HistoryWriter(store, session_ttl=session_ttl, retention_days=days)
        self.observer = HistoryObserver(self.writer, lookup)

    @classmethod
    def open(cls, url: str, lookup: Lookup, session_ttl: float, days: float) -> History:
        return cls(open_history(url), lookup, session_ttl, days)

    async def run(self) -> None:
        """The writer task, for the app's task group."""
        await self.writer.run()

    async def close(self) -> None:
        """Clean shutdown: write everything queued, then close the store."""
        await self.writer.stopped()
        flushed = await self.writer.flush()
        counts = self.writer.counts
        if not flushed or counts.dropped:
            log.error(
                "history: %d records not written, %d dropped during an outage",
                self.writer.pending,
                counts.dropped,
            )
        try:
            await self.store.close()
        except Exception as exc:  # closing a store that is down is not worth a traceback
            log.warning("history store: close failed (%s)", exc)
