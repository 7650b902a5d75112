"""Session store backends, chosen by URL."""

from __future__ import annotations

from flowengine.sessions.base import DEFAULT_TTL_SECONDS, SessionStore, StoreError

__all__ = ["DEFAULT_TTL_SECONDS", "SessionStore", "StoreError", "open_store"]

_FORMS = (
    "memory://, sqlite:///relative/path.db or sqlite:////absolute/path.db, "
    "redis://host:port/db (or rediss://)"
)


def open_store(url: str, ttl: int = DEFAULT_TTL_SECONDS) -> SessionStore:
    """Open the session store named by `url`, e.g. from --sessions or FLOWENGINE_SESSIONS.

    Backends are imported lazily so that a deployment without Redis never imports it.
    """
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "memory":
        from flowengine.sessions.memory import MemorySessionStore

        return MemorySessionStore(ttl=ttl)
    if sep and scheme == "sqlite":
        # SQLAlchemy style: after "sqlite://" comes "/" then the path, so an absolute
        # path shows four slashes in all.
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError(f"bad sqlite URL {url!r}: expected one of {_FORMS}")
        from flowengine.sessions.sqlite import SqliteSessionStore

        return SqliteSessionStore(rest[1:], ttl=ttl)
    if sep and scheme in ("redis", "rediss"):
        from flowengine.sessions.redis import RedisSessionStore

        return RedisSessionStore(url, ttl=ttl)
    raise ValueError(f"unsupported session store URL {url!r}: expected one of {_FORMS}")
