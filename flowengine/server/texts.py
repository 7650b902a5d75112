"""Texts a voice flow sends during a call (its `sms:` action), after the TwiML went out.

Sending takes a REST round trip; the caller must not hear it as silence, so the web
layer runs this as a background task once the response is on its way. The blocking
twilio client runs in a worker thread; the outcome (message SID or error) is written
into the call's session and the log. Missing credentials never break the call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from anyio import to_thread

from flowengine.runtime.interpreter import OutboundMessage
from flowengine.server import logs
from flowengine.server.stores import SessionStore, StoreError
from flowengine.twilio import rest as twilio_rest

log = logging.getLogger("flowengine.server.texts")

# Where the outcomes go in the session: a list of {"to", "sid"} or {"to", "error"}, which
# a flow can read as vars.texts_sent (and which survives a hand-over to another flow).
TEXTS_VAR = "texts_sent"


class TextSender:
    def __init__(
        self,
        store: SessionStore,
        attempts: int = 5,
        make_client: Callable[[], Any] = twilio_rest.client_from_env,
    ) -> None:
        self._store = store
        self._attempts = attempts
        self._make_client = make_client
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def send_one(self, message: OutboundMessage) -> dict[str, str]:
        try:
            sid = twilio_rest.send_message(
                self.client(), message.to, message.from_, message.body, list(message.media)
            )
        except (twilio_rest.ApiError, twilio_rest.ConfigError, ValueError) as exc:
            return {"to": message.to, "error": f"{type(exc).__name__}: {exc}"}
        return {"to": message.to, "sid": sid}

    async def send(self, key: str, messages: Sequence[OutboundMessage]) -> None:
        outcomes = []
        for message in messages:
            outcome = await to_thread.run_sync(self.send_one, message)
            outcomes.append(outcome)
            fields = {"event": "text", "call": key, "to": logs.number(message.to)}
            if "sid" in outcome:
                log.info(logs.line({**fields, "outcome": "sent", "sid": outcome["sid"]}))
            else:
                error = logs.scrub(outcome["error"])  # Twilio's messages quote the number
                log.warning(logs.line({**fields, "outcome": "failed", "error": error}))
        await self.record(key, outcomes)

    async def record(self, key: str, outcomes: list[dict[str, str]]) -> None:
        """Append the outcomes to the session, with compare-and-set like any webhook."""
        try:
            for _ in range(self._attempts):
                session = await self._store.load(key)
                if session is None:
                    log.warning(logs.line({"event": "text", "call": key, "cause": "no-session"}))
                    return
                session.vars[TEXTS_VAR] = [*session.vars.get(TEXTS_VAR, []), *outcomes]
                if await self._store.save(session):
                    return
            log.warning(logs.line({"event": "text", "call": key, "cause": "conflict"}))
        except StoreError as exc:
            log.warning(
                logs.line({"event": "text", "call": key, "cause": "store-error", "error": str(exc)})
            )
