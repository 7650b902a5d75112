"""One structured line per webhook: key=value pairs, cheap to build, safe to keep.

Caller numbers are masked at info level (+1555***4567); the auth token is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys

log = logging.getLogger("flowengine.web")

_PLAIN = re.compile(r"[A-Za-z0-9+\-_.:/*@]+")


def mask(number: str) -> str:
    """Keep the country/area code and the last four digits: enough to tell calls apart."""
    if len(number) <= 8:
        return "***" if number else ""
    return f"{number[:5]}***{number[-4:]}"


def value(text: object) -> str:
    raw = text if type(text) is str else str(text)
    if _PLAIN.fullmatch(raw):
        return raw
    return json.dumps(raw, ensure_ascii=True)


def line(fields: dict[str, object]) -> str:
    return " ".join([f"{k}={value(v)}" for k, v in fields.items() if v is not None and v != ""])


_NUMBERS = re.compile(r"\+?\d{7,15}")


def scrub(text: str) -> str:
    """Mask every phone number inside a free text, such as an API's error message."""
    if log.isEnabledFor(logging.DEBUG):
        return text
    return _NUMBERS.sub(lambda match: mask(match.group()), text)


def number(text: str) -> str:
    """A phone number as the log shows it: in full only at debug level."""
    return text if log.isEnabledFor(logging.DEBUG) else mask(text)


def setup(level: str) -> None:
    """Send flowengine's records to stderr, one line each, at the given level."""
    root = logging.getLogger("flowengine")
    root.setLevel(level.upper())
    # The server owns its process: skip what every record would otherwise collect and the
    # format never shows (the logging HOWTO's "Optimization" list). Finding the caller
    # walks the stack on every webhook.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if not any(isinstance(h, TurnFlushingHandler) for h in root.handlers):
        handler = TurnFlushingHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.propagate = False


class TurnFlushingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that flushes once per event-loop turn instead of after every line.

    A flush is a write to the file or pipe, several microseconds each; under load one
    write now carries the lines of every webhook answered in the same turn, and a line
    still reaches the stream within that turn. Outside an event loop (the CLI, worker
    threads, shutdown) it flushes at once, as StreamHandler does.
    """

    _pending = False

    def flush(self) -> None:
        if self._pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            super().flush()
            return
        self._pending = True
        loop.call_soon(self._flush_now)

    def _flush_now(self) -> None:
        self._pending = False
        super().flush()
