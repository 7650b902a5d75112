"""The frame around every Twilio route: body limit, form, signature, fallback, log line.

Each route is a raw ASGI app that Starlette routes to (Starlette keeps the routing, the
lifespan and every other route): the webhook builds no Request or Response object on the
way in or out, a measurable share of a request on the production stack (issue 16;
docs/performance.md). A handler gets the parsed form once and returns TwiML; anything it
raises becomes the route's fallback document (status 200), so Twilio never sees an HTTP
error for a signed request. Unsigned or wrongly signed requests get 403 before any
handler runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from urllib.parse import unquote_plus

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from flowengine.server import logs
from flowengine.server.fallback import cause_of
from flowengine.server.health import Monitor
from flowengine.server.observers import Observers
from flowengine.server.replay import request_id
from flowengine.server.signature import FormValues, SignatureCheck, path_and_query, values_by_name

XML = b"text/xml; charset=utf-8"
TEXT = b"text/plain; charset=utf-8"
MAX_FIELDS = 1000


class Form(dict[str, str]):
    """The posted fields: one value per name for the flow (the last, as Starlette does);
    `pairs` keeps every one, in order, for the signature, which covers them all."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs

    @property
    def values_by_name(self) -> FormValues:
        return values_by_name(self.pairs)


class Hook:
    """One webhook in progress: its form, what the log line says, work to do afterwards."""

    __slots__ = ("background", "fields", "params", "request_id")

    def __init__(self, params: Form, fields: dict[str, object], request_id: str = "") -> None:
        self.params = params
        self.fields = fields
        # Names this webhook across retries (see replay.py): its answer is kept under it.
        self.request_id = request_id
        self.background: BackgroundTask | None = None


Handler = Callable[[Request, Hook], Awaitable[str]]


class TooLarge(Exception):
    pass


class Disconnected(Exception):
    pass


async def read_body(receive: Receive, declared: str | None, limit: int) -> bytes:
    """The body from the ASGI messages themselves (a Twilio form arrives in one)."""
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise TooLarge
    body: bytes = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        body += message.get("body", b"")
        if len(body) > limit:
            raise TooLarge
        if not message.get("more_body", False):
            return body


def parse_form(body: bytes) -> Form:
    """Twilio posts application/x-www-form-urlencoded; anything else fails the signature.

    Same result as parse_qsl(keep_blank_values=True), several times faster: most of
    Twilio's values (sids, statuses) need no unquoting at all, and most of the rest are
    phone numbers whose only escape is the "+" (%2B).
    """
    text = body.decode("utf-8", "replace")
    parts = text.split("&")
    if len(parts) > MAX_FIELDS:
        raise ValueError("too many fields")
    pairs = []
    for part in parts:
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "+" in value:
            value = unquote_plus(value)
        elif "%" in value:
            plus = value.replace("%2B", "+")
            value = plus if "%" not in plus else unquote_plus(value)
        pairs.append((name, value))
    return Form(pairs)


def header_map(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name, the first of repeated ones (as Starlette's
    `Headers.get`); ASGI servers send the names lower-cased already."""
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in reversed(scope["headers"])
    }


async def respond(send: Send, status: int, body: bytes, content_type: bytes = XML) -> None:
    length = str(len(body)).encode()
    headers = [(b"content-type", content_type), (b"content-length", length)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Webhook:
    """One Twilio route as an ASGI app."""

    def __init__(
        self,
        route: str,
        handler: Handler,
        fallback: str,
        signature: SignatureCheck | None,
        max_body: int,
        access_log: bool = True,
        monitor: Monitor | None = None,
        observers: Observers | None = None,
    ) -> None:
        self.route = route
        self.handler = handler
        self.fallback = fallback
        self.signature = signature
        self.max_body = max_body
        self.answered = logging.INFO if access_log else None
        self.monitor = monitor if monitor is not None else Monitor()
        self.observers = observers if observers is not None and observers.all else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = perf_counter()
        headers = header_map(scope)
        route = self.route
        try:
            body = await read_body(receive, headers.get("content-length"), self.max_body)
            params = parse_form(body)
        except TooLarge:
            logs.log.warning(logs.line({"route": route, "status": 413, "cause": "body-too-large"}))
            return await respond(send, 413, b"Request body too large", TEXT)
        except Disconnected:
            return await respond(send, 400, b"Bad request", TEXT)
        except ValueError:
            refused = {"route": route, "status": 400, "cause": "too-many-fields"}
            logs.log.warning(logs.line({**refused, "peer": peer(scope)}))
            return await respond(send, 400, b"Bad request", TEXT)
        signature = self.signature
        if signature is not None:
            if not signature.valid(scope, headers, params.pairs):
                checked = signature.url(scope, headers)
                self.monitor.signature_failed(
                    checked, signature.signed_for(scope, headers, params.pairs)
                )
                refused = {"route": route, "status": 403, "cause": "bad-signature"}
                logs.log.warning(logs.line({**refused, "peer": peer(scope), "checked": checked}))
                return await respond(send, 403, b"Forbidden", TEXT)
            self.monitor.signature_ok()
        fields: dict[str, object] = {"route": route, "call": params.get("CallSid")}
        hook = Hook(params, fields, request_id(headers, path_and_query(scope), body))
        observers = self.observers
        level = self.answered
        error: BaseException | None = None
        try:
            content = await self.handler(Request(scope, receive), hook)
            if observers is not None:
                observers.answered(route, fields, perf_counter() - started)
        except Exception as exc:
            content = self.fallback
            hook.background = None
            cause = cause_of(exc)
            self.monitor.fallback(cause)
            fields.update(outcome="fallback", cause=cause, error=str(exc)[:300])
            level = logging.ERROR if cause == "internal-error" else logging.WARNING
            # The exception itself, not exc_info=True: by the time the line is logged the
            # handler has finished and sys.exc_info() is empty.
            error = exc if cause == "internal-error" else None
            if observers is not None:
                observers.fell_back(route, fields, params, cause, perf_counter() - started)
        if level is not None and logs.log.isEnabledFor(level):
            fields["ms"] = f"{(perf_counter() - started) * 1000:.1f}"
            logs.log.log(level, logs.line(fields), exc_info=error)
        await respond(send, 200, content.encode("utf-8"))
        if hook.background is not None:
            await hook.background()


def peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""
