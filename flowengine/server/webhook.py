"""The frame around every Twilio route: body limit, form, signature, fallback, log line.

A handler gets the parsed form once and returns TwiML; anything it raises becomes the
route's fallback document (status 200), so Twilio never sees an HTTP error for a signed
request. Unsigned or wrongly signed requests get 403 before any handler runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from urllib.parse import unquote_plus

from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from flowengine.server import logs
from flowengine.server.fallback import cause_of
from flowengine.server.health import Monitor
from flowengine.server.observers import Observers
from flowengine.server.replay import request_id
from flowengine.server.signature import FormValues, SignatureCheck, path_and_query

XML = "text/xml; charset=utf-8"
MAX_FIELDS = 1000


class Form(dict[str, str]):
    """The posted fields: one value per name for the flow (the last, as Starlette does),
    every value per name for the signature, which covers them all."""

    __slots__ = ("values_by_name",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.values_by_name = FormValues()
        for name, value in pairs:
            self.values_by_name.setdefault(name, []).append(value)


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
Endpoint = Callable[[Request], Awaitable[Response]]


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body from the ASGI messages themselves: Request.stream() is an async generator,
    which costs more than the one message a Twilio form arrives in."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise TooLarge
    body: bytes = b""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
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


def webhook(
    route: str,
    handler: Handler,
    fallback: str,
    signature: SignatureCheck | None,
    max_body: int,
    access_log: bool = True,
    monitor: Monitor | None = None,
    observers: Observers | None = None,
) -> Endpoint:
    answered = logging.INFO if access_log else None
    monitor = monitor if monitor is not None else Monitor()
    watched = observers.all if observers is not None else None

    async def endpoint(request: Request) -> Response:
        started = perf_counter()
        client = request.client.host if request.client else ""
        try:
            body = await read_body(request, max_body)
            params = parse_form(body)
        except TooLarge:
            logs.log.warning(logs.line({"route": route, "status": 413, "cause": "body-too-large"}))
            return PlainTextResponse("Request body too large", status_code=413)
        except ClientDisconnect:
            return PlainTextResponse("Bad request", status_code=400)
        except ValueError:
            logs.log.warning(
                logs.line(
                    {"route": route, "status": 400, "cause": "too-many-fields", "peer": client}
                )
            )
            return PlainTextResponse("Bad request", status_code=400)
        if signature is not None:
            if not signature.valid(request, params.values_by_name):
                checked = signature.url(request)
                monitor.signature_failed(
                    checked, signature.signed_for(request, params.values_by_name)
                )
                refused = {"route": route, "status": 403, "cause": "bad-signature", "peer": client}
                logs.log.warning(logs.line({**refused, "checked": checked}))
                return PlainTextResponse("Forbidden", status_code=403)
            monitor.signature_ok()
        fields: dict[str, object] = {"route": route, "call": params.get("CallSid")}
        hook = Hook(
            params, fields, request_id(request.headers, path_and_query(request.scope), body)
        )
        try:
            content = await handler(request, hook)
            level = answered
            error: BaseException | None = None
            if watched and observers is not None:
                observers.answered(route, fields, perf_counter() - started)
        except Exception as exc:
            content = fallback
            hook.background = None
            cause = cause_of(exc)
            monitor.fallback(cause)
            fields.update(outcome="fallback", cause=cause, error=str(exc)[:300])
            level = logging.ERROR if cause == "internal-error" else logging.WARNING
            # The exception itself, not exc_info=True: by the time the line is logged the
            # handler has finished and sys.exc_info() is empty.
            error = exc if cause == "internal-error" else None
            if watched and observers is not None:
                observers.fell_back(route, fields, params, cause, perf_counter() - started)
        if level is not None and logs.log.isEnabledFor(level):
            fields["ms"] = f"{(perf_counter() - started) * 1000:.1f}"
            logs.log.log(level, logs.line(fields), exc_info=error)
        return Response(content, media_type=XML, background=hook.background)

    return endpoint
