"""When a callback's turn comes: the rule, on the line record, as plain functions.

A request asked from a queue's wait flow carries the queue (Twilio's QueueSid) and how many
callers were ahead of the caller when they asked (QueuePosition - 1). Each caller an agent
takes from that queue moves the queue's requests up by one; a request with nobody ahead is
due at once ("turn"). A request waits no longer than `max_wait` seconds for its turn: then
it, like every request not asked from a queue, is placed by the rate rule ("rate").

Twilio documents the queue fields on the wait flow's own requests (the waitUrl), not on the
request of a Gather inside it, which is where a caller presses the key: `Places` keeps the
last wait round's fields per call, for wait flows that can ask for a callback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowengine.flow.graph import Graph
from flowengine.runtime.session import CallSession
from flowengine.server.stores import SessionStore

Item = dict[str, Any]

# A placed call whose status never came back (the server stopped between claiming the call
# and placing it, or Twilio could not reach any server): counted as not answered after
# this long. Longer than a callback call rings and then talks.
LOST_SECONDS = 4 * 60 * 60
# Dequeued calls remembered so that the two signals of one dequeue count once: more than
# agents take from all queues between the two (the second comes when the call ends).
SEEN_KEPT = 1000
PLACE_KEY = "callbacks:place:"


@dataclass
class Line:
    items: list[Item]
    seen: list[str] = field(default_factory=list)  # calls already counted as dequeued


def due(item: Item, now: float, max_wait: float, lost: bool = False) -> str | None:
    """Why `item` may be placed now: "turn", "rate", or None (not yet, or ringing)."""
    if (item["calling"] and not lost) or item["due"] > now:
        return None
    if not item.get("queue"):
        return "rate"
    if item.get("ahead", 0) <= 0:
        return "turn"
    asked = float(item.get("asked") or item["due"])
    if max_wait > 0 and asked + max_wait <= now:
        return "rate"
    return None


def next_turn(items: list[Item], now: float) -> float | None:
    """Seconds until the next request whose turn came is due again (a retry after a call
    not answered): the placing task wakes then rather than at its next round."""
    waits = [
        item["due"] - now
        for item in items
        if item.get("queue") and item.get("ahead", 0) <= 0 and not item["calling"]
    ]
    return max(min(waits), 0.0) if waits else None


def dequeue(line: Line, queue: str, call: str) -> int:
    """`call` left `queue` for an agent: the queue's waiting requests move up by one.
    Returns how many of them now have nobody ahead."""
    if call in line.seen:
        return 0
    line.seen = [*line.seen, call][-SEEN_KEPT:]
    turned = 0
    for item in line.items:
        if item.get("queue") == queue and item.get("ahead", 0) > 0:
            item["ahead"] -= 1
            turned += item["ahead"] == 0
    return turned


def offers(graph: Graph) -> bool:
    """Whether a flow can ask for a callback (then its wait rounds are worth keeping)."""
    return any(state.call_back is not None for state in graph.states.values())


class Places:
    """Each waiting caller's last wait round: the queue and the position in it."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def keep(self, call: str, queue: str, position: str) -> None:
        if not (call and queue and position.isdigit()):
            return
        key = PLACE_KEY + call
        record = CallSession(key=key, flow="", version="", ended=True)
        record.vars.update(queue=queue, position=position)
        # Most rounds are not a caller's first: one read, then the compare-and-set. A lost
        # race is another round of the same caller: either is right.
        stored = await self.store.load(key)
        record.rev = stored.rev if stored is not None else 0
        await self.store.save(record)

    async def last(self, call: str) -> tuple[str, str]:
        record = await self.store.load(PLACE_KEY + call) if call else None
        if record is None:
            return "", ""
        return str(record.vars.get("queue", "")), str(record.vars.get("position", ""))
