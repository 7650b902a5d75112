"""Callbacks: a caller in a queue hangs up and is called back, keeping their place.

A flow's `call_back: {flow, tries}` state ends the call; the server then keeps the request
in the session store, as one record for the whole line (`LINE_KEY`, a session-like record
saved with compare-and-set): so it survives a restart and every server sharing the store
sees the same line. A periodic task places the first due request every `every` seconds, in
the order they were asked for, through the REST client: a call from the number the caller
dialled to the caller, running `/voice/{flow}` (the flow confirms and connects), with a
status callback to `/callback/{id}`. When the caller does not answer (no-answer, busy,
failed, canceled) the request goes back to its place, due again after `retry_after`
seconds, until `tries` calls were placed; an answered call takes it out of the line.

Placing is claimed in the store before the call is made (the compare-and-set of the line
record), so two servers never call the same caller for the same try.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
from anyio import to_thread
from starlette.requests import Request

from flowengine.flow import twiml
from flowengine.flow.graph import CallBack, Graph
from flowengine.runtime.interpreter import StepResult
from flowengine.runtime.session import CallSession
from flowengine.server import logs
from flowengine.server.stores import SessionStore, StoreError
from flowengine.server.webhook import Hook
from flowengine.twilio import rest as twilio_rest

log = logging.getLogger("flowengine.server")

LINE_KEY = "callbacks:line"
ROUTE = "/callback/{id}"
NOT_ANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})
ANSWERED = "completed"
SAVE_ATTEMPTS = 20
# A placed call whose status never came back (the server stopped between claiming the call
# and placing it, or Twilio could not reach any server): counted as not answered after
# this long. Longer than a callback call rings and then talks.
LOST_SECONDS = 4 * 60 * 60

Item = dict[str, Any]


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
    ) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/")
        self.every = every
        self.retry_after = retry_after
        self._make_client = make_client
        self._client: Any = None
        self.clock = clock

    # -- the line, in the store ------------------------------------------------------------
    async def line(self) -> list[Item]:
        record = await self.store.load(LINE_KEY)
        return [] if record is None else list(record.vars.get("line", []))

    async def _change(self, change: Callable[[list[Item]], Any]) -> Any:
        """Apply `change` to the line with compare-and-set; returns what `change` returned."""
        for _ in range(SAVE_ATTEMPTS):
            record = await self.store.load(LINE_KEY)
            if record is None:
                record = CallSession(key=LINE_KEY, flow="", version="", ended=True)
            line: list[Item] = list(record.vars.get("line", []))
            answer = change(line)
            record.vars["line"] = line
            if await self.store.save(record):
                return answer
        raise StoreError("the callback line kept changing under this server")

    async def ask(self, call: str, to: str, from_: str, wanted: CallBack) -> None:
        """Keep a caller's request at the end of the line (once per call, however often
        Twilio posts the webhook)."""

        def add(line: list[Item]) -> None:
            if any(item["id"] == call for item in line):
                return
            line.append(
                {
                    "id": call,
                    "to": to,
                    "from": from_,
                    "flow": wanted.flow,
                    "tries": wanted.tries,
                    "placed": 0,
                    "due": self.clock(),
                    "calling": False,
                }
            )

        await self._change(add)
        log.info(logs.line({"event": "callback", "call": call, "outcome": "asked"}))

    # -- placing calls ---------------------------------------------------------------------
    async def place_due(self) -> Item | None:
        """Place the first due request of the line; returns it, or None when none is due."""
        now = self.clock()

        def take(line: list[Item]) -> Item | None:
            for item in list(line):
                lost = item["calling"] and item.get("placed_at", now) + LOST_SECONDS <= now
                if lost and item["placed"] >= item["tries"]:
                    line.remove(item)
                    continue
                if (not item["calling"] or lost) and item["due"] <= now:
                    item.update(calling=True, placed=item["placed"] + 1, placed_at=now)
                    return dict(item)
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
        log.info(logs.line({**fields, "outcome": "placed"}))
        return item

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

        def settle(line: list[Item]) -> str:
            for index, item in enumerate(line):
                if item["id"] != ident or not item["calling"]:
                    continue
                if status not in NOT_ANSWERED:
                    del line[index]
                    return "answered"
                if item["placed"] >= item["tries"]:
                    del line[index]
                    return "gave-up"
                item["calling"] = False
                item["due"] = self.clock() + self.retry_after
                return "retry"
            return "unknown"

        outcome: str = await self._change(settle)
        log.info(logs.line({"event": "callback", "id": ident, "outcome": outcome}))
        return outcome

    async def run(self, stop: anyio.Event) -> None:
        """Place due callbacks until `stop`; a store outage waits for the next round."""
        while not stop.is_set():
            if self.public_url:
                try:
                    await self.place_due()
                except StoreError as exc:
                    log.warning(logs.line({"event": "callback", "error": str(exc)}))
            with anyio.move_on_after(self.every):
                await stop.wait()

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
