"""GET /metrics: the Prometheus text format, behind a bearer token when one is configured."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from flowengine.metrics import multiprocess


def endpoint(
    registry: CollectorRegistry, token: str, before: Callable[[], None]
) -> Callable[[Request], Awaitable[Response]]:
    expected = f"Bearer {token}".encode()

    async def metrics(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return PlainTextResponse(
                    "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
                )
        before()
        if multiprocess.enabled():
            # Every worker's samples, read from the shared folder.
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            body = generate_latest(combined)
        else:
            body = generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics
