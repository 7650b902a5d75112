"""The metrics as the server runs them: instruments, observer, and the /metrics route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.responses import Response

from flowengine.history.writer import HistoryWriter
from flowengine.metrics.endpoint import endpoint
from flowengine.metrics.instruments import Instruments
from flowengine.metrics.observer import Lookup, MetricsObserver


class Metrics:
    def __init__(self, lookup: Lookup, token: str, writer: HistoryWriter | None) -> None:
        # One registry per app: tests build many apps in one process.
        self.registry = CollectorRegistry()
        self.instruments = Instruments(self.registry)
        self.observer = MetricsObserver(self.instruments, lookup)
        self.writer = writer
        if writer is not None:
            writer.on_error = self.instruments.history_store_errors.inc
            writer.on_drop = self.instruments.history_dropped.inc
            writer.on_pending = self.instruments.history_pending.set
        self.route: Callable[[Request], Awaitable[Response]] = endpoint(
            self.registry, token, self.refresh
        )

    def refresh(self) -> None:
        """The queue's length now, in the worker that answers the scrape."""
        if self.writer is not None:
            self.instruments.history_pending.set(self.writer.pending)
