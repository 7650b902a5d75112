"""History stores, chosen by URL like the session store."""

from __future__ import annotations

from flowengine.history.stores.base import Filter, HistoryError, HistoryStore

__all__ = ["FORMS", "Filter", "HistoryError", "HistoryStore", "open_history"]

FORMS = "sqlite:///relative/path.db, sqlite:////absolute/path.db, postgresql://user@host/db"


def open_history(url: str) -> HistoryStore:
    """Open the history store named by `url` (--history or FLOWENGINE_HISTORY).

    PostgreSQL support (psycopg) is imported only when a postgresql:// URL is given.
    """
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "sqlite":
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError(f"bad sqlite URL {url!r}: expected one of {FORMS}")
        from flowengine.history.stores.sqlite import SqliteHistoryStore

        return SqliteHistoryStore(rest[1:])
    if sep and scheme in ("postgresql", "postgres"):
        from flowengine.history.stores.postgres import PostgresHistoryStore

        return PostgresHistoryStore(url)
    raise ValueError(f"unsupported history URL {url!r}: expected one of {FORMS}")
