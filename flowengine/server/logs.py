"""One structured line per webhook: key=value pairs, cheap to build, safe to keep.

Caller numbers are masked at info level (+*******4567); the auth token is never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys

from flowengine.server import log_format as log_format_module

log = logging.getLogger("flowengine.server")

_PLAIN = re.compile(r"[A-Za-z0-9+\-_.:/*@]+")


def mask(number: str) -> str:
    """Only the last four digits: enough to tell calls apart, too few to call anyone back."""
    if len(number) <= 4:
        return "***" if number else ""
    plus = "+" if number.startswith("+") else ""
    return plus + "*" * (len(number) - len(plus) - 4) + number[-4:]


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


def _no_caller(stack_info: bool = False, stacklevel: int = 1) -> tuple[str, int, str, str | None]:
    return "(unknown file)", 0, "(unknown function)", None


def setup(level: str, log_format: str = "text") -> None:
    """Send flowengine's records to stderr, one line each, at the given level and format."""
    root = logging.getLogger("flowengine")
    root.setLevel(level.upper())
    # Finding the caller walks the stack for every record (about 6 us of the 12 a webhook's
    # line costs), and our format never shows it: skip it for the webhook line's logger
    # only, leaving logging's globals (and uvicorn's records) alone.
    log.findCaller = _no_caller  # type: ignore[method-assign]
    if not any(getattr(h, "_flowengine", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._flowengine = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False
    for ours in root.handlers:
        if getattr(ours, "_flowengine", False):
            ours.setFormatter(log_format_module.formatter(log_format))
