"""What the caller hears in a state, per language, as plain words; and how long it takes.

Texts are read from the flow's document (a say may be one text, a table by language, or a
text with its own voice), SSML tags are dropped except breaks, audio and pauses are shown
in brackets so that a changed recording or pause shows up in a word diff too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flowengine.flow.templates import LIQUID_MARKUP

WORDS_PER_MINUTE = 150.0
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<break\b[^>]*?time=\"([0-9.]+)(ms|s)\"[^>]*/?>")
_PAUSE = re.compile(r"\[pause:([0-9.]+)s\]")
_AUDIO = re.compile(r"\[(audio|picture):[^\]]*\]")


@dataclass(frozen=True)
class Language:
    """One of the flow's languages: its name in the flow ('' when it declares none)."""

    name: str
    default: str  # the flow's first language, the fallback for a missing translation


def pick(value: Any, language: Language) -> Any:
    """The text for a language from a plain text or a table of texts by language."""
    if isinstance(value, dict):
        if language.name in value:
            return value[language.name]
        if language.default in value:
            return value[language.default]
        return next(iter(value.values()), "")
    return value


def say_text(value: Any, language: Language) -> str:
    options: dict[str, Any] = {}
    if isinstance(value, dict) and "text" in value:
        options, value = value, value["text"]
    text = spoken(str(pick(value, language)))
    loop = options.get("loop")
    if isinstance(loop, int) and loop > 1:
        text = " ".join([text] * loop)
    return text


def spoken(text: str) -> str:
    """SSML reduced to the words; a break is kept as a pause a reviewer can see."""

    def pause(match: re.Match[str]) -> str:
        amount = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
        return f" [pause:{amount:g}s] "

    text = _TAG.sub(" ", _BREAK.sub(pause, text))
    return " ".join(text.split())


def item_text(key: str, value: Any, language: Language) -> str:
    if key == "say":
        return say_text(value, language)
    if key == "play":
        url = value if isinstance(value, str) else value.get("url", "")
        loop = value.get("loop") if isinstance(value, dict) else None
        suffix = f" x{loop}" if isinstance(loop, int) and loop != 1 else ""
        return f"[audio:{url}{suffix}]"
    if key == "pause":
        return f"[pause:{value}s]"
    return ""


def prompt_items(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    """The prompts of a state or gather in the order they are heard (see flow/prompts.py)."""
    items: list[tuple[str, Any]] = []
    for item in spec.get("prompts") or []:
        if isinstance(item, dict) and item:
            key = next(iter(item))
            items.append((key, item[key]))
    items += [(key, spec[key]) for key in ("say", "play", "pause") if key in spec]
    return items


def prompt(spec: dict[str, Any], language: Language) -> str:
    """Everything a state says before it waits: its own prompts, then its gather's."""
    items = prompt_items(spec)
    if isinstance(spec.get("gather"), dict):
        items += prompt_items(spec["gather"])
    return " ".join(t for key, value in items if (t := item_text(key, value, language)))


def reply(spec: dict[str, Any], language: Language) -> str:
    """What a text-message state sends back."""
    parts = [str(pick(spec["reply"], language))] if "reply" in spec else []
    parts += [f"[picture:{url}]" for url in spec.get("media") or []]
    return " ".join(parts)


def retries(spec: dict[str, Any], language: Language) -> dict[str, str]:
    """The escalating retry prompts: 'no-input 1', 'no-input 2', 'no-match 1', ..."""
    retry = spec.get("retry")
    if not isinstance(retry, dict):
        return {}
    result = {}
    for key in ("no-input", "no-match"):
        value = retry.get(key)
        items = value if isinstance(value, list) else [] if value is None else [value]
        for index, item in enumerate(items, 1):
            result[f"{key} {index}"] = say_text(item, language)
    return result


def word_count(text: str) -> int:
    """Words spoken: template values count as two words (a name, a number)."""
    text = _AUDIO.sub(" ", _PAUSE.sub(" ", LIQUID_MARKUP.sub(" x x ", text)))
    return len([w for w in text.split() if any(c.isalnum() for c in w)])


def seconds(text: str, rate: float = WORDS_PER_MINUTE) -> float:
    """How long a text takes to hear at `rate` words per minute, pauses included.

    Audio files count for nothing: their length is not in the flow.
    """
    paused = sum(float(m.group(1)) for m in _PAUSE.finditer(text))
    return word_count(text) * 60.0 / rate + paused
