"""Session store backends, chosen by URL."""

from __future__ import annotations

from flowengine.server.stores.base import DEFAULT_TTL_SECONDS, SessionStore, StoreError, redact

__all__ = ["DEFAULT_TTL_SECONDS", "SessionStore", "StoreError", "open_store", "redact"]

_FORMS = (
    "memory://, sqlite:///relative/path.db or sqlite:////absolute/path.db, "
    "redis://host:port/db (or rediss://)"
)


def _take_ttl(url: str, ttl: int) -> tuple[str, int]:
    base, mark, query = url.partition("?")
    if not mark:
        return url, ttl
    kept = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name != "ttl":
            kept.append(pair)
        elif value.isdigit() and int(value) > 0:
            ttl = int(value)
        else:
            raise ValueError(
                f"bad ttl in session store URL {redact(url)!r}: give whole seconds, e.g. ttl=86400"
            )
    return (base + "?" + "&".join(kept)) if kept else base, ttl


def open_store(url: str, ttl: int = DEFAULT_TTL_SECONDS) -> SessionStore:
    """Open the session store named by `url`, e.g. from --store or FLOWENGINE_STORE.

    Backends are imported lazily so that a deployment without Redis never imports it.
    A `ttl=SECONDS` query parameter on any URL sets how long an idle session lives.
    """
    url, ttl = _take_ttl(url, ttl)
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "memory":
        from flowengine.server.stores.memory import MemorySessionStore

        return MemorySessionStore(ttl=ttl)
    if sep and scheme == "sqlite":
        # SQLAlchemy style: after "sqlite://" comes "/" then the path, so an absolute
        # path shows four slashes in all.
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError(f"bad sqlite URL {redact(url)!r}: expected one of {_FORMS}")
        from flowengine.server.stores.sqlite import SqliteSessionStore

        return SqliteSessionStore(rest[1:], ttl=ttl)
    if sep and scheme in ("redis", "rediss"):
        from flowengine.server.stores.redis import RedisSessionStore

        return RedisSessionStore(url, ttl=ttl)
    raise ValueError(f"unsupported session store URL {redact(url)!r}: expected one of {_FORMS}")
