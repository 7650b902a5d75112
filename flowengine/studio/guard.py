"""Who may use the studio, and which requests may write.

- Every write (any method but GET and HEAD) carries the page's CSRF token in the
  `X-CSRF-Token` header; a form posted from another site cannot set that header.
- The Host header must name this server, so a rebound DNS name cannot reach it.
- Bound to anything but loopback, every request needs the access token (from
  FLOWENGINE_STUDIO_TOKEN): `?token=...` once, then a cookie.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD"})
COOKIE = "flowengine_studio"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class Guard:
    def __init__(
        self, app: ASGIApp, csrf: str, access_token: str = "", hosts: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.csrf = csrf
        self.access_token = access_token
        self.hosts = hosts  # host names accepted besides loopback ones; "*" accepts any

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "").rsplit(":", 1)[0] if headers.get("host") else ""
        if not self.host_allowed(host):
            await _refuse(send, 421, "this server does not answer for that host name")
            return
        if self.access_token:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token", "")
            if given and _same(given, self.access_token):
                await _remember(scope, send, query, self.access_token)
                return
            cookie = _cookie(headers.get("cookie", ""), COOKIE)
            if not _same(cookie, self.access_token):
                await _refuse(
                    send, 401, "open the address with ?token=... (FLOWENGINE_STUDIO_TOKEN)"
                )
                return
        if scope["method"] not in SAFE_METHODS:
            sent = headers.get("x-csrf-token", "")
            if not _same(sent, self.csrf):
                await _refuse(send, 403, "missing or wrong CSRF token: reload the page")
                return
            origin = headers.get("origin", "")
            if origin and urlsplit(origin).netloc != headers.get("host", ""):
                await _refuse(send, 403, "a write from another site's page is refused")
                return
        await self.app(scope, receive, send)

    def host_allowed(self, host: str) -> bool:
        return host in LOOPBACK_NAMES or host in self.hosts or "*" in self.hosts


def _same(given: str, secret: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, and headers may hold any.
    return secrets.compare_digest(given.encode(), secret.encode())


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _remember(scope: Scope, send: Send, query: dict[str, str], token: str) -> None:
    rest = urlencode({k: v for k, v in query.items() if k != "token"})
    location = scope["path"] + (f"?{rest}" if rest else "")
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode())],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
