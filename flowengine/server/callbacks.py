"""Callbacks: a caller in a queue hangs up and is called back, keeping their place.

A flow's `call_back: {flow, tries}` state ends the call; the server then keeps the request
in the session store, as one record for the whole line (`LINE_KEY`, a session-like record
saved with compare-and-set): so it survives a restart and every server sharing the store
sees the same line. A placed call runs `/voice/{flow}` (the flow confirms and connects)
from the number the caller dialled to the caller, with a status callback to
`/callback/{id}`. When the caller does not answer (no-answer, busy, failed, canceled) the
request goes back to its place, due again after `retry_after` seconds, until `tries` calls
were placed; an answered call takes it out of the line.

When a request is placed (see turns.py for the rule): a request asked from a queue's wait
flow keeps the caller's place in that queue (`ahead`: how many callers were in front) and
is placed at once when agents have taken that many callers from the queue, or after
`max_wait` seconds at the latest; any other request (or every request when `max_wait` is
0) is placed by the rate rule, the first due one every `every` seconds.

Placing is claimed in the store before the call is made (the compare-and-set of the line
record), so two servers never call the same caller for the same try.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from anyio import to_thread
from starlette.requests import Request

from flowengine.flow import twiml
from flowengine.flow.graph import CallBack, Graph
from flowengine.runtime.interpreter import StepResult
from flowengine.runtime.session import CallSession
from flowengine.server import logs
from flowengine.server.callback_turns import (
    LOST_SECONDS,
    Item,
    Line,
    Places,
    dequeue,
    due,
    next_turn,
)
from flowengine.server.stores import SessionStore, StoreError
from flowengine.server.webhook import Hook
from flowengine.twilio import rest as twilio_rest

__all__ = ["LOST_SECONDS", "Callbacks", "wanted"]

log = logging.getLogger("flowengine.server")

LINE_KEY = "callbacks:line"
ROUTE = "/callback/{id}"
NOT_ANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})
ANSWERED = "completed"
SAVE_ATTEMPTS = 20


def wanted(graph: Graph, result: StepResult) -> CallBack | None:
    """The callback a step asked for: the call ended in a `call_back` state."""
    session = result.session
    if not session.ended or session.outcome != "call_back" or not session.path:
        return None
    state = graph.states.get(session.path[-1])
    return state.call_back if state is not None else None


class Callbacks:
    def __init__(
        self,
        store: SessionStore,
        public_url: str,
        every: float,
        retry_after: float,
        make_client: Callable[[], Any] = twilio_rest.client_from_env,
        clock: Callable[[], float] = time.time,
        max_wait: float = 0.0,
    ) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/")
        self.every = every
        self.retry_after = retry_after
        self.max_wait = max_wait
        self._make_client = make_client
        self._client: Any = None
        self.clock = clock
        self.places = Places(store)
        self._wake = anyio.Event()

    # -- the line, in the store ------------------------------------------------------------
    async def line(self) -> list[Item]:
        record = await self.store.load(LINE_KEY)
        return [] if record is None else list(record.vars.get("line", []))

    async def _change(self, change: Callable[[Line], Any]) -> Any:
        """Apply `change` to the line with compare-and-set; returns what `change` returned."""
        for _ in range(SAVE_ATTEMPTS):
            record = await self.store.load(LINE_KEY)
            if record is None:
                record = CallSession(key=LINE_KEY, flow="", version="", ended=True)
            line = Line(list(record.vars.get("line", [])), list(record.vars.get("seen", [])))
            answer = change(line)
            record.vars["line"], record.vars["seen"] = line.items, line.seen
            if await self.store.save(record):
                return answer
        raise StoreError("the callback line kept changing under this server")

    async def ask(
        self, call: str, to: str, from_: str, wanted: CallBack, queue: str = "", ahead: int = 0
    ) -> None:
        """Keep a caller's request at the end of the line (once per call, however often
        Twilio posts the webhook); `queue` and `ahead` keep their place in a queue."""
        now = self.clock()
        queue = queue if self.max_wait > 0 else ""  # 0: the rate rule for every request

        def add(line: Line) -> None:
            if any(item["id"] == call for item in line.items):
                return
            item: Item = {"id": call, "to": to, "from": from_, "flow": wanted.flow}
            item.update(tries=wanted.tries, placed=0, due=now, asked=now, calling=False)
            item.update(queue=queue, ahead=max(ahead, 0) if queue else 0)
            line.items.append(item)

        await self._change(add)
        fields: dict[str, object] = {"event": "callback", "call": call, "outcome": "asked"}
        if queue:
            fields.update(queue=queue, ahead=str(max(ahead, 0)))
        log.info(logs.line(fields))
        if queue and ahead <= 0:
            self._wake.set()  # first in line: their turn is the next agent's

    async def ask_for(self, params: Mapping[str, str], wanted: CallBack) -> None:
        """`ask` for the caller of a webhook: the queue and place come from the webhook's
        own fields when Twilio sent them, else from the caller's last wait round."""
        call = params.get("CallSid") or ""
        queue, position = params.get("QueueSid") or "", params.get("QueuePosition") or ""
        if not (queue and position.isdigit()):
            queue, position = await self.places.last(call)
        ahead = int(position) - 1 if position.isdigit() else 0
        await self.ask(call, params.get("From") or "", params.get("To") or "", wanted, queue, ahead)

    # -- an agent took a caller from a queue -----------------------------------------------
    async def dequeued(self, queue: str, call: str) -> int:
        """One caller (`call`) left `queue` for an agent: the requests of that queue move
        up. Counted once per call, whichever of Twilio's signals told us (the Queue noun's
        url, the Enqueue action's `bridged`) and however often. Returns how many requests
        this made due."""
        if not queue or not call:
            return 0
        turned: int = await self._change(lambda line: dequeue(line, queue, call))
        log.info(logs.line({"event": "dequeued", "queue": queue, "turned": str(turned)}))
        if turned:
            self._wake.set()
        return turned

    async def dequeued_hook(self, request: Request, hook: Hook) -> str:
        """The Queue noun's url: Twilio fetches it on the dequeued caller's leg just before
        the bridge. Its TwiML is played to that caller: nothing to say."""
        queue, call = hook.params.get("QueueSid") or "", hook.params.get("CallSid") or ""
        hook.fields.update(event="dequeued", call=call)
        hook.fields["outcome"] = f"turned-{await self.dequeued(queue, call)}"
        return twiml.EMPTY

    # -- placing calls ---------------------------------------------------------------------
    async def place_due(self, turn_only: bool = False) -> Item | None:
        """Place the first due request of the line (with `turn_only`, the first whose turn
        in a queue came); returns it, or None when none is due."""
        now = self.clock()

        def take(line: Line) -> Item | None:
            for item in list(line.items):
                lost = item["calling"] and item.get("placed_at", now) + LOST_SECONDS <= now
                if lost and item["placed"] >= item["tries"]:
                    line.items.remove(item)
                    continue
                why = due(item, now, self.max_wait, lost)
                if why == "turn" or (why == "rate" and not turn_only):
                    item.update(calling=True, placed=item["placed"] + 1, placed_at=now, ahead=0)
                    return dict(item, why=why)
            return None

        item: Item | None = await self._change(take)
        if item is None:
            return None
        try:
            sid = await to_thread.run_sync(self._start, item)
        except (twilio_rest.ApiError, twilio_rest.ConfigError, ValueError) as exc:
            error = logs.scrub(f"{type(exc).__name__}: {exc}")
            log.warning(logs.line({"event": "callback", "id": item["id"], "error": error}))
            await self.finished(item["id"], "failed")
            return item
        fields = {"event": "callback", "id": item["id"], "sid": sid, "try": item["placed"]}
        log.info(logs.line({**fields, "outcome": "placed", "rule": item["why"]}))
        return item

    async def place_round(self) -> int:
        """One round: every request whose turn came, then one more by the rate rule."""
        placed = 0
        while await self.place_due(turn_only=True) is not None:
            placed += 1
        return placed + (await self.place_due() is not None)

    def _start(self, item: Item) -> str:
        if self._client is None:
            self._client = self._make_client()
        return twilio_rest.start_call(
            self._client,
            item["to"],
            item["from"],
            url=f"{self.public_url}/voice/{item['flow']}",
            status_callback=f"{self.public_url}/callback/{item['id']}",
        )

    async def finished(self, ident: str, status: str) -> str:
        """A placed call ended with `status`: out of the line, or back in its place."""

        def settle(line: Line) -> str:
            for index, item in enumerate(line.items):
                if item["id"] != ident or not item["calling"]:
                    continue
                if status not in NOT_ANSWERED:
                    del line.items[index]
                    return "answered"
                if item["placed"] >= item["tries"]:
                    del line.items[index]
                    return "gave-up"
                item["calling"] = False
                item["due"] = self.clock() + self.retry_after
                # Its turn came already: the placing task must wake for the retry, not
                # at its next round.
                return "retry-turn" if item.get("queue") else "retry"
            return "unknown"

        outcome: str = await self._change(settle)
        if outcome == "retry-turn":
            outcome = "retry"
            self._wake.set()
        log.info(logs.line({"event": "callback", "id": ident, "outcome": outcome}))
        return outcome

    async def run(self, stop: anyio.Event) -> None:
        """Place due callbacks until `stop`: a round every `every` seconds, and at once
        when a caller's turn came. A store outage waits for the next round."""
        while not stop.is_set():
            self._wake = anyio.Event()
            if self.public_url:
                try:
                    await self.place_round()
                except StoreError as exc:
                    log.warning(logs.line({"event": "callback", "error": str(exc)}))
            sleep = self.every
            with contextlib.suppress(StoreError):
                soonest = next_turn(await self.line(), self.clock())
                sleep = self.every if soonest is None else min(self.every, soonest + 0.01)
            with anyio.move_on_after(sleep):
                async with anyio.create_task_group() as tasks:
                    for event in (stop, self._wake):
                        tasks.start_soon(_cancel_on, event, tasks.cancel_scope)

    # -- the status callback route ---------------------------------------------------------
    async def status(self, request: Request, hook: Hook) -> str:
        status = hook.params.get("CallStatus") or ""
        ident = str(request.path_params["id"])
        hook.fields.update(event="callback-status", status=status)
        if status in NOT_ANSWERED or status == ANSWERED:
            hook.fields["outcome"] = await self.finished(ident, status)
        else:
            hook.fields["outcome"] = "progress"
        return twiml.EMPTY


async def _cancel_on(event: anyio.Event, scope: anyio.CancelScope) -> None:
    await event.wait()
    scope.cancel()
