"""What the history commands share: which store to open, and running a coroutine on it."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from flowengine.history import location
from flowengine.history.stores import HistoryStore, open_history

T = TypeVar("T")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history",
        metavar="URL",
        help="the call history: sqlite:///path.db or postgresql://user@host/db (default: "
        "FLOWENGINE_HISTORY, or the one `flowengine serve` keeps beside its session store)",
    )
    parser.add_argument(
        "--store", metavar="URL", help="the server's session store, to find its history beside it"
    )


# The session store's setting and default (server/config.py), read here without
# importing the web server.
ENV_STORE = "FLOWENGINE_STORE"
DEFAULT_STORE = "sqlite:///flowengine.db"


def history_url(args: argparse.Namespace) -> str | None:
    store = args.store or os.environ.get(ENV_STORE) or DEFAULT_STORE
    return location.history_url(args.history or os.environ.get(location.ENV_HISTORY, ""), store)


def history_days() -> float:
    try:
        return float(os.environ.get(location.ENV_HISTORY_DAYS) or location.DEFAULT_HISTORY_DAYS)
    except ValueError:
        return location.DEFAULT_HISTORY_DAYS


def with_store(url: str, work: Callable[[HistoryStore], Awaitable[T]]) -> T:
    async def main() -> T:
        store = open_history(url)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(main())
