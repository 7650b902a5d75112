"""Where the call history is kept, worked out the same way by the server and the commands
(which must not import the web server just to find a file)."""

from __future__ import annotations

ENV_HISTORY = "FLOWENGINE_HISTORY"
ENV_HISTORY_DAYS = "FLOWENGINE_HISTORY_DAYS"
DEFAULT_HISTORY = "sqlite:///flowengine-history.db"
DEFAULT_HISTORY_DAYS = 30.0


def history_url(setting: str, store_url: str) -> str | None:
    """`setting` (--history or FLOWENGINE_HISTORY) if given, "off" for none; else its own
    SQLite file beside a SQLite session store."""
    if setting:
        return None if setting.strip().lower() == "off" else setting.strip()
    if store_url.startswith("memory:"):
        return None  # tests and throwaway runs: nothing kept unless asked for
    if store_url.startswith("sqlite:///"):
        base = store_url.split("?", 1)[0]
        stem = base[: -len(".db")] if base.endswith(".db") else base
        return f"{stem}-history.db"
    return DEFAULT_HISTORY
