"""Finding the parts of a flow document that several rules look at: says, texts, voices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flowengine.flow.loader import KeyPath


@dataclass(frozen=True)
class Text:
    """One text the caller hears, with the voice and language code it is spoken in."""

    path: KeyPath
    text: str
    language: str | None  # the flow's language name (en, fr) for a table entry, else None
    voice: str | None
    code: str | None  # the language code (en-US)
    voice_path: KeyPath | None  # where the voice was written, for positions


def states(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, spec in (data.get("states") or {}).items():
        if isinstance(spec, dict):
            yield name, spec


def says(data: dict[str, Any]) -> Iterator[tuple[KeyPath, Any]]:
    """Every `say` value of the flow with its path: in states, gathers, prompts and retries."""
    for name, spec in states(data):
        base: KeyPath = ("states", name)
        yield from _prompt_says(spec, base)
        if isinstance(spec.get("gather"), dict):
            yield from _prompt_says(spec["gather"], (*base, "gather"))
        retry = spec.get("retry")
        if isinstance(retry, dict):
            for key in ("no-input", "no-match"):
                value = retry.get(key)
                if isinstance(value, list):
                    for index, item in enumerate(value):
                        yield (*base, "retry", key, index), item
                elif value is not None:
                    yield (*base, "retry", key), value


def _prompt_says(spec: dict[str, Any], path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    for index, item in enumerate(spec.get("prompts") or []):
        if isinstance(item, dict) and "say" in item:
            yield (*path, "prompts", index, "say"), item["say"]
    if "say" in spec:
        yield (*path, "say"), spec["say"]


def voice_of(data: dict[str, Any], language: str | None) -> tuple[str | None, str | None, KeyPath]:
    """The voice and language code for a flow language name, and where the voice is set."""
    entry = (data.get("languages") or {}).get(language or "", {})
    if isinstance(entry, dict) and "voice" in entry:
        voice_path: KeyPath = ("languages", language or "", "voice")
    else:
        voice_path = ("voice",)
    entry = entry if isinstance(entry, dict) else {}
    return (
        entry.get("voice", data.get("voice")),
        entry.get("language", data.get("language")),
        voice_path,
    )


def texts(data: dict[str, Any], path: KeyPath, value: Any) -> Iterator[Text]:
    """Each text of one say value, once per flow language it is spoken in."""
    voice = code = None
    voice_path: KeyPath | None = None
    if isinstance(value, dict) and "text" in value:
        voice, code = value.get("voice"), value.get("language")
        voice_path = (*path, "voice") if voice else None
        value, path = value["text"], (*path, "text")
    names = list(data.get("languages") or {}) or [None]
    if isinstance(value, dict):
        pairs = [(name, (*path, name), text) for name, text in value.items()]
    else:
        pairs = [(name, path, value) for name in names]
    for name, where, text in pairs:
        if not isinstance(text, str):
            continue
        flow_voice, flow_code, flow_voice_path = voice_of(data, name)
        yield Text(
            where,
            text,
            name,
            voice or flow_voice,
            code or flow_code,
            voice_path or (flow_voice_path if flow_voice else None),
        )


def strings(node: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value in the document, with its path."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, index))
