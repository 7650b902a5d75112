"""WAL checkpoints in a thread of their own, so that their fsyncs never stall the event loop.

SQLite's automatic checkpoint runs inside the COMMIT that fills the write-ahead log: the
writer copies the log into the database and waits for two fsyncs, and on a server that
writer is the event loop, so every webhook in flight waits too (tens of milliseconds on
a virtual disk). Here a second connection checkpoints shortly after commits instead. The
sqlite3 module releases the GIL while SQLite works, so the loop goes on meanwhile, and a
PASSIVE checkpoint never blocks a writer.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from pathlib import Path

# One checkpoint (two fsyncs) per interval at most, however many commits came in it.
INTERVAL_SECONDS = 0.1
# The writer's own automatic checkpoint stays on, far out, as a bound on the log's size
# should this thread ever fall behind (pages of 4 KiB: about 40 MiB).
SAFETY_NET_PAGES = 10_000


class Checkpointer:
    def __init__(self, path: Path, interval: float = INTERVAL_SECONDS) -> None:
        self._path = path
        self._interval = interval
        self._commits = threading.Event()
        self._closing = threading.Event()
        self.checkpoints = 0
        self._thread = threading.Thread(
            target=self._run, name=f"sqlite-checkpoint {path.name}", daemon=True
        )
        self._thread.start()

    def committed(self) -> None:
        """Called after each COMMIT: there is log to copy back."""
        self._commits.set()

    def close(self) -> None:
        self._closing.set()
        self._commits.set()
        self._thread.join()

    def _run(self) -> None:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while True:
                self._commits.wait()
                # Let the commits of the next interval gather; a close cuts the wait short.
                self._closing.wait(self._interval)
                self._commits.clear()
                # Best effort: a failed checkpoint leaves the log to the next one, or to
                # the writer's own automatic checkpoint.
                with suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                if self._closing.is_set():
                    return
        finally:
            db.close()
