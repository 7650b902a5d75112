"""Plain words for changes and figures, shared by the text and Markdown reporters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowengine.diff.changes import Change, FlowDiff

_NOUNS = {"option": "answer", "outcome": "result", "hours": "hours"}


def value(item: Any) -> str:
    if isinstance(item, list):
        return "[" + ", ".join(value(i) for i in item) + "]"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k}: {value(v)}" for k, v in item.items()) + "}"
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)


def subject(change: Change) -> str:
    noun = _NOUNS.get(change.kind)
    if change.kind == "hours":
        return f"hours {change.what}"
    return f"{noun} '{change.what}'" if noun else change.what


def sentence(change: Change) -> str:
    """One line for a change that is not a prompt: 'answer '2': support -> help_desk'."""
    if change.old is None:
        return f"{subject(change)} added: {value(change.new)}"
    if change.new is None:
        return f"{subject(change)} removed (was {value(change.old)})"
    return f"{subject(change)}: {value(change.old)} -> {value(change.new)}"


def counts(flow: FlowDiff) -> str:
    parts = []
    for status in ("changed", "renamed", "added", "removed"):
        n = sum(1 for s in flow.states if s.status == status)
        if n:
            parts.append(f"{n} state{'s' * (n != 1)} {status}")
    if flow.changes:
        parts.append(f"{len(flow.changes)} flow setting{'s' * (len(flow.changes) != 1)} changed")
    return ", ".join(parts) or "no change to callers"


def _way(way: dict[str, Any] | None) -> str:
    if way is None:
        return "no person reachable"
    menus = way["steps"]
    return f"{way['seconds']:g} s, {menus} menu{'s' * (menus != 1)}"


def _prompt(prompt: dict[str, Any] | None) -> str:
    if prompt is None:
        return "-"
    language = f" ({prompt['language']})" if prompt["language"] else ""
    words = prompt["words"]
    return (
        f"{prompt['seconds']:g} s, {words} word{'s' * (words != 1)} in {prompt['state']}{language}"
    )


def _menus(figures: dict[str, Any]) -> str:
    names = figures["menus_without_way_back_or_operator"]
    if not figures["menus"]:
        return "no menus"
    return "every menu" if not names else "missing in " + ", ".join(names)


def _more(figures: dict[str, Any]) -> str:
    """The flow has too many ways through it to follow every one: a lower bound."""
    return "" if figures["complete"] else " or more"


def figure_rows(experience: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, before, after) rows; '-' where a side has no such flow."""
    old, new = experience.get("old"), experience.get("new")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("shortest way to a person", lambda f: _way(f["to_a_person"]["shortest"])),
        ("longest way to a person", lambda f: _way(f["to_a_person"]["longest"]) + _more(f)),
        ("menu depth", lambda f: str(f["menu_depth"]) + _more(f)),
        ("longest prompt", lambda f: _prompt(f["longest_prompt"])),
        ("a way back or to an operator", _menus),
    ]
    return [(label, show(old) if old else "-", show(new) if new else "-") for label, show in rows]
