"""Sends a flow's fetches with one shared httpx.AsyncClient (a connection pool per server).

A fetch never raises: whatever happens (a status, a timeout, a refused connection, a body
too large) becomes a FetchResult the flow has a transition for. Each try is bounded by
the fetch's own timeout as a whole (httpx's timeouts are per read), and at most one
retry follows a timeout, a network error or a 5xx.
"""

from __future__ import annotations

import asyncio
import logging
from time import perf_counter

import httpx

from flowengine.runtime.effects import MAX_BODY, FetchRequest, FetchResult, classify
from flowengine.server import logs

log = logging.getLogger("flowengine.server.fetch")

# Enough connections for many calls at once; a backend that holds more is a slow backend.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class Fetcher:
    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # Redirects are not followed: a backend that moved must be configured anew,
            # not followed blindly with the call's headers.
            self._client = httpx.AsyncClient(limits=LIMITS, follow_redirects=False, trust_env=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def perform(self, request: FetchRequest, call: str = "") -> FetchResult:
        result = FetchResult("timeout")
        for attempt in range(1 + request.retry):
            started = perf_counter()
            result = await self.once(request)
            if log.isEnabledFor(logging.INFO):
                fields: dict[str, object] = {
                    "event": "fetch",
                    "call": call,
                    "state": request.state,
                    "outcome": result.outcome,
                    "status": result.status,
                    "try": attempt + 1,
                    "ms": f"{(perf_counter() - started) * 1000:.1f}",
                }
                log.info(logs.line(fields))
            retryable = result.outcome == "timeout" or (result.status or 0) >= 500
            if not retryable:
                break
        return result

    async def once(self, request: FetchRequest) -> FetchResult:
        try:
            async with asyncio.timeout(request.timeout):  # no extra task, unlike wait_for
                return await self._send(request)
        except (TimeoutError, httpx.HTTPError):
            return FetchResult("timeout")
        except ValueError:  # an address httpx cannot even parse (a template gone wrong)
            return FetchResult("timeout")

    async def _send(self, request: FetchRequest) -> FetchResult:
        form = dict(request.form) if request.form is not None else None
        built = self.client.build_request(
            request.method, request.url, headers=list(request.headers), json=request.json, data=form
        )
        response = await self.client.send(built, stream=True)
        try:
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    break  # too large: stop reading, classify() calls it a bad response
            return classify(response.status_code, body)
        finally:
            await response.aclose()
