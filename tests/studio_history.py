"""A small real call history for the studio's traffic tests, written through the history
store's own API into a SQLite file (the file the server would keep beside its store)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flowengine.history.record import Note, Step
from flowengine.history.stores import open_history

DAY = 86400.0
MENU = (
    '<Response><Gather input="dtmf" numDigits="1" action="/x"><Say>Press 2 for '
    "&lt;script&gt;alert(1)&lt;/script&gt; support.</Say></Gather></Response>"
)
WELCOME = (
    '<Response><Gather input="dtmf speech" numDigits="1" action="/x"><Say>Thank you for '
    "calling Acme.</Say></Gather></Response>"
)
SUPPORT = "<Response><Say>Connecting you to support.</Say><Hangup/></Response>"
# A trail is (from, label, to), as the runtime records the transitions a step took.
ENTRY = (("screen", "otherwise", "welcome"),)
TO_MENU = (("welcome", "1, english", "open_check"), ("open_check", "open office", "menu"))
TO_SUPPORT = (("menu", "2, support, help", "support"),)


def _step(sid: str, rev: int, at: float, event: str, state: str, input_: str, **kw: Any) -> Step:
    values: dict[str, Any] = {
        "sid": sid,
        "rev": rev,
        "at": at,
        "flow": "main",
        "version": "v1",
        "event": event,
        "state": state,
        "input": input_,
        "trail": (),
        "path": (),
        "outcome": "",
        "ended": False,
        "twiml": "",
        "direction": "inbound",
        "caller": "+15551230000",
        "called": "+15550001111",
    }
    values.update(kw)
    return Step(**values)


def to_support(sid: str, at: float) -> list[Step | Note]:
    """Welcome, 1 for English, then 2 for support: the call ends there."""
    return [
        _step(sid, 1, at, "call", "", "", trail=ENTRY, path=("screen", "welcome"), twiml=WELCOME),
        _step(
            sid, 2, at + 4, "gather", "welcome", "keys:1", trail=TO_MENU,
            path=("screen", "welcome", "open_check", "menu"), twiml=MENU,
        ),
        _step(
            sid, 3, at + 9, "gather", "menu", "keys:2", trail=TO_SUPPORT,
            path=("screen", "welcome", "open_check", "menu", "support"),
            outcome="completed", ended=True, twiml=SUPPORT,
        ),
        Note(sid, at + 12, "status", {"status": "completed", "duration": "12"}),
    ]  # fmt: skip


def hung_up(sid: str, at: float) -> list[Step | Note]:
    """Heard the welcome and hung up."""
    return [
        _step(sid, 1, at, "call", "", "", trail=ENTRY, path=("screen", "welcome"), twiml=WELCOME),
        Note(sid, at + 3, "status", {"status": "completed", "duration": "3"}),
    ]


def write_history(path: Path, now: float | None = None) -> dict[str, float]:
    """Three calls in the last 7 days (two to support, one hung up) and one 10 days ago.
    Returns each call's start."""
    now = time.time() if now is None else now
    starts = {
        "CA0001": now - 3 * 3600,
        "CA0002": now - 2 * DAY,
        "CA0003": now - 1 * 3600,
        "CA0OLD": now - 10 * DAY,
    }
    items = (
        to_support("CA0001", starts["CA0001"])
        + to_support("CA0002", starts["CA0002"])
        + hung_up("CA0003", starts["CA0003"])
        + to_support("CA0OLD", starts["CA0OLD"])
    )

    async def main() -> None:
        store = open_history(f"sqlite:///{path}")
        try:
            await store.write(items)
        finally:
            await store.close()

    # In a thread of its own: Playwright's sync API keeps an event loop in the test's thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()
    return starts
