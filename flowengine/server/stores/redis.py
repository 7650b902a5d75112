"""Session store in Redis: shared by any number of server processes and hosts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from flowengine.runtime.session import CallSession
from flowengine.server.stores.base import DEFAULT_TTL_SECONDS, SessionStore, StoreError, redact

DEFAULT_PREFIX = "flowengine:"
FLOW_SOURCE_TTL_SECONDS = 7 * 24 * 60 * 60
# Explicit, whatever redis-py's defaults (5.x waits forever on a hung server): a store
# that does not answer must cost a webhook at most this, well inside Twilio's 15 s, and
# the caller hears the fallback instead of silence. No retries, for the same reason.
CONNECT_TIMEOUT_SECONDS = 2.0
SOCKET_TIMEOUT_SECONDS = 2.0

# Compare-and-set must be one atomic step on the server; WATCH/MULTI would need a
# dedicated connection per save. A missing key has revision 0.
_CAS_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'rev')
if current == false then current = '0' end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

T = TypeVar("T")


def split_prefix(url: str) -> tuple[str, str]:
    """Take flowengine's own `prefix` query parameter out of a redis URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisSessionStore(SessionStore):
    """Sessions as hashes `{prefix}session:{key}` with fields rev and data, expiring after ttl.

    Flow sources are `{prefix}flow:{flow}:{version}`, with a week-long ttl renewed each time
    a server publishes that version or reads it back to rebuild it for a call on it, so
    only versions that nothing serves or uses go.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        ttl: int = DEFAULT_TTL_SECONDS,
        prefix: str | None = None,
        flow_ttl: int = FLOW_SOURCE_TTL_SECONDS,
    ) -> None:
        self.ttl = ttl
        self.flow_ttl = flow_ttl
        url, url_prefix = split_prefix(url)
        self.prefix = url_prefix if prefix is None else prefix
        try:
            self._redis: aioredis.Redis = aioredis.Redis.from_url(
                url,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=SOCKET_TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),
            )
        except (ValueError, RedisError) as exc:
            raise StoreError(f"bad redis URL {redact(url)}: {exc}") from exc
        self._cas = self._redis.register_script(_CAS_SCRIPT)

    def _session_key(self, key: str) -> str:
        return f"{self.prefix}session:{key}"

    def _flow_key(self, flow: str, version: str) -> str:
        return f"{self.prefix}flow:{flow}:{version}"

    async def _call(self, what: str, make: Callable[[], Awaitable[T]]) -> T:
        try:
            return await make()
        except (RedisError, OSError) as exc:
            raise StoreError(f"redis {what} failed: {exc}") from exc

    async def load(self, key: str) -> CallSession | None:
        fields: list[Any] = await self._call(
            "load", lambda: self._redis.hmget(self._session_key(key), ["rev", "data"])
        )
        rev, data = fields
        if data is None:
            return None
        session = CallSession.from_json(data)
        session.rev = int(rev)
        return session

    async def save(self, session: CallSession) -> bool:
        new_rev = session.rev + 1
        data = session.to_json()
        written = await self._call(
            "save",
            lambda: self._cas(
                keys=[self._session_key(session.key)],
                args=[str(session.rev), str(new_rev), data, self.ttl],
            ),
        )
        if not written:
            return False
        session.rev = new_rev
        return True

    async def delete(self, key: str) -> None:
        await self._call("delete", lambda: self._redis.delete(self._session_key(key)))

    async def save_flow_source(self, flow: str, version: str, source: str) -> None:
        await self._call(
            "flow source save",
            lambda: self._redis.set(self._flow_key(flow, version), source, ex=self.flow_ttl),
        )

    async def load_flow_source(self, flow: str, version: str) -> str | None:
        # GETEX (Redis 6.2+) renews the week-long ttl as it reads: a version calls still
        # use stays rebuildable for as long as they use it.
        raw: bytes | str | None = await self._call(
            "flow source load",
            lambda: self._redis.getex(self._flow_key(flow, version), ex=self.flow_ttl),
        )
        return raw.decode() if isinstance(raw, bytes) else raw

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()
