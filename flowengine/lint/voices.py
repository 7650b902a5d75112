"""Where a flow names voices and language codes: the flow, its languages, and say objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowengine.flow.loader import KeyPath
from flowengine.lint.walk import says


def named(data: dict[str, Any], key: str) -> Iterator[tuple[KeyPath, str]]:
    """Every `voice` (or `language`) value written in the flow, with its path."""
    if isinstance(data.get(key), str):
        yield (key,), data[key]
    for name, entry in (data.get("languages") or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get(key), str):
            yield ("languages", name, key), entry[key]
    for path, value in says(data):
        if isinstance(value, dict) and "text" in value and isinstance(value.get(key), str):
            yield (*path, key), value[key]


def pairs(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str | None, str | None]]:
    """(where, voice, language code) for each place a voice meets a language code."""
    voice, code = data.get("voice"), data.get("language")
    yield ("voice",), voice, code
    table = data.get("languages") or {}
    for name, entry in table.items():
        if isinstance(entry, dict) and entry:
            key = "voice" if "voice" in entry else "language"
            yield ("languages", name, key), entry.get("voice", voice), entry.get("language", code)
    for path, value in says(data):
        if not (isinstance(value, dict) and "text" in value):
            continue
        if "voice" not in value and "language" not in value:
            continue
        key = "voice" if "voice" in value else "language"
        for entry in list(table.values()) or [{}]:
            entry = entry if isinstance(entry, dict) else {}
            yield (
                (*path, key),
                value.get("voice", entry.get("voice", voice)),
                value.get("language", entry.get("language", code)),
            )
