"""TwiML text: escaping, attributes, and documents built from precompiled fragments.

A fragment is a tuple of parts; a part is either finished TwiML text or a function of
the template context that returns finished (already escaped) TwiML text. Everything
that does not depend on the call is joined into constant text at compile time, so a
state without templates renders as one string concatenation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Context = Mapping[str, Any]
Part = str | Callable[[Context], str]
Fragment = tuple[Part, ...]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
OPEN = XML_DECLARATION + "<Response>"
CLOSE = "</Response>"
EMPTY = OPEN + CLOSE
# Twilio refuses a TwiML answer over 64 kB (error 11750) and says only "application error".
MAX_DOCUMENT_BYTES = 64 * 1024


def too_large(document: str) -> bool:
    # UTF-8 takes at most 4 bytes a character: most answers need no encoding to tell.
    return len(document) * 4 > MAX_DOCUMENT_BYTES and len(document.encode()) > MAX_DOCUMENT_BYTES


# Characters XML 1.0 forbids; a caller's speech result could carry them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def text(value: object) -> str:
    """Escape a value for use as element text; nothing in it can become markup."""
    return _INVALID_XML.sub("", str(value)).translate(_ESCAPES)


def valid_chars(value: str) -> str:
    """Drop characters XML 1.0 forbids (markup from an author's SSML is kept)."""
    return _INVALID_XML.sub("", value)


def attr_value(value: object) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return _INVALID_XML.sub("", str(value)).translate(_ATTR_ESCAPES)


def attrs(values: Mapping[str, object]) -> str:
    """Attributes sorted by name (as twilio-python writes them), skipping unset ones."""
    return "".join(
        f' {name}="{attr_value(value)}"'
        for name, value in sorted(values.items())
        if value is not None and value != ""
    )


def element(name: str, attributes: Mapping[str, object], body: Iterable[Part] = ()) -> Fragment:
    parts = tuple(body)
    if not parts:
        return (f"<{name}{attrs(attributes)}/>",)
    return (f"<{name}{attrs(attributes)}>", *parts, f"</{name}>")


def merge(parts: Iterable[Part]) -> Fragment:
    """Join neighbouring constant parts so rendering touches as few parts as possible."""
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def render(fragment: Fragment, context: Context) -> str:
    return "".join(part if isinstance(part, str) else part(context) for part in fragment)


def escaped(renderer: Callable[[Context], str]) -> Callable[[Context], str]:
    """Wrap a plain-text renderer so its output is escaped TwiML text."""
    return lambda context: text(renderer(context))


def checked(renderer: Callable[[Context], str]) -> Callable[[Context], str]:
    """Wrap an autoescaped markup renderer so its output holds only valid XML characters."""
    return lambda context: valid_chars(renderer(context))
