"""One structured line per webhook: key=value pairs, cheap to build, safe to keep.

Caller numbers are masked at info level (+1555***4567); the auth token is never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys

log = logging.getLogger("flowengine.server")

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
    if not any(getattr(h, "_flowengine", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._flowengine = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False
