"""Real traffic from the call history, for a flow's page: how many calls took each edge in
a period (counted by the same code as `flowengine report`), the flow's recent calls, and
one call as the transcript `flowengine calls show` prints.

The studio only reads the history: a SQLite history whose file is not there is no history
(opening it would create an empty one beside the user's flows)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from flowengine.flow.graph import Graph
from flowengine.history import reporting, transcript
from flowengine.history.stores import Filter, HistoryStore, open_history
from flowengine.history.when import parse_when

PERIODS = {
    "24h": "last 24 hours",
    "7d": "last 7 days",
    "30d": "last 30 days",
    "90d": "last 90 days",
}
DEFAULT_PERIOD = "7d"
T = TypeVar("T")
RECENT = 20  # calls listed on a flow's page, newest first


class BadPeriod(ValueError):
    pass


def available(url: str | None) -> str | None:
    """`url` if there is a history to read there, else None (no traffic on the pages)."""
    if url and url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).is_file():
        return None
    return url


def period_of(value: str | None) -> str:
    period = value or DEFAULT_PERIOD
    if period not in PERIODS:
        raise BadPeriod(f"unknown period {period!r}: one of {', '.join(PERIODS)}")
    return period


def call_url(sid: str) -> str:
    return "/history/" + quote(sid, safe="")


async def _reading(url: str, work: Callable[[HistoryStore], Awaitable[T]]) -> T:
    store = open_history(url)
    try:
        return await work(store)
    finally:
        await store.close()


async def flow_traffic(url: str, graph: Graph, period: str) -> dict[str, Any]:
    """The flow's edges with their call counts in `period`, and its recent calls then."""
    since = parse_when(period, time.time())

    async def work(store: HistoryStore) -> dict[str, Any]:
        [found] = await reporting.traffic(store, [graph], since, None)
        recent = await store.calls(Filter(flow=graph.name, since=since, limit=RECENT))
        return {
            "flow": graph.name,
            "period": period,
            "since": since,
            "calls": found.calls,
            "outcomes": dict(sorted(found.outcomes.items())),
            "edges": [
                {"from": e.source, "to": e.target, "label": e.label, "count": found.edges[e]}
                for e in graph.edges
            ],
            "recent": [
                call.summary()
                | {"started": transcript.when(call.started_at), "url": call_url(call.sid)}
                for call in recent
            ],
        }

    return await _reading(url, work)


def pair_counts(data: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Counts per pair of states, as the diagram draws one line per pair."""
    counts: dict[tuple[str, str], int] = {}
    for edge in data["edges"]:
        pair = (edge["from"], edge["to"])
        counts[pair] = counts.get(pair, 0) + edge["count"]
    return counts


async def call_transcript(url: str, sid: str) -> dict[str, Any] | None:
    async def work(store: HistoryStore) -> dict[str, Any] | None:
        call = await store.call(sid)
        if call is None:
            return None
        lines = transcript.show(call)
        return call.summary() | {"lines": lines, "text": "\n".join(lines) + "\n"}

    return await _reading(url, work)
