"""The parts of a flow a form can change: prompt texts, where options go, opening hours,
closed dates, settings. Each field names the place in the YAML by its key path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flowengine.studio.details import PROMPT_PLACES

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    path: KeyPath
    group: str  # the fieldset it belongs to: "Prompts", "Options", ...
    label: str
    value: str
    kind: str = "text"  # text, textarea, select, dates
    choices: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return json.dumps(list(self.path), ensure_ascii=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": list(self.path),
            "group": self.group,
            "label": self.label,
            "value": self.value,
            "kind": self.kind,
            "choices": list(self.choices),
        }


def fields(data: Any) -> list[Field]:
    if not isinstance(data, dict):
        return []
    found: list[Field] = []
    if isinstance(data.get("description"), str):
        found.append(Field(("description",), "Flow", "Description", data["description"]))
    states = data.get("states")
    states = states if isinstance(states, dict) else {}
    names = tuple(sorted(str(n) for n in states))
    for name, spec in states.items():
        if isinstance(spec, dict):
            found += _prompts(str(name), spec)
            found += _options(str(name), spec, names)
    found += _hours(data.get("hours"))
    settings = data.get("settings")
    if isinstance(settings, dict):
        for key, value in settings.items():
            if isinstance(value, str | int | float):
                found.append(Field(("settings", key), "Numbers and settings", key, str(value)))
    return found


def _prompts(name: str, spec: dict[str, Any]) -> list[Field]:
    found = []
    for place in PROMPT_PLACES:
        value: Any = spec
        for key in place:
            value = value.get(key) if isinstance(value, dict) else None
        path: KeyPath = ("states", name, *place)
        where = " ".join(place)
        if isinstance(value, str):
            found.append(Field(path, "Prompts", f"{name}: {where}", value, "textarea"))
        elif isinstance(value, dict):
            found += [
                Field((*path, lang), "Prompts", f"{name}: {where} ({lang})", text, "textarea")
                for lang, text in value.items()
                if isinstance(text, str)
            ]
    return found


def _options(name: str, spec: dict[str, Any], names: tuple[str, ...]) -> list[Field]:
    found = []
    on = spec.get("on")
    for key, target in on.items() if isinstance(on, dict) else ():
        path: KeyPath = ("states", name, "on", key)
        if isinstance(target, dict) and isinstance(target.get("next"), str):
            target, path = target["next"], (*path, "next")
        if isinstance(target, str) and target in names:
            label = f"{name}: on {key}"
            found.append(Field(path, "Options", label, target, "select", names))
    if isinstance(spec.get("next"), str) and spec["next"] in names:
        found.append(
            Field(
                ("states", name, "next"), "Options", f"{name}: next", spec["next"], "select", names
            )
        )
    return found


def _hours(hours: Any) -> list[Field]:
    found: list[Field] = []
    for name, spec in hours.items() if isinstance(hours, dict) else ():
        if not isinstance(spec, dict):
            continue
        weekly = spec.get("weekly")
        for days, times in weekly.items() if isinstance(weekly, dict) else ():
            if isinstance(times, str):
                path: KeyPath = ("hours", name, "weekly", days)
                found.append(Field(path, "Opening hours", f"{name}: {days}", times))
        closed = spec.get("closed")
        if isinstance(closed, list):
            text = ", ".join(str(day) for day in closed)
            found.append(
                Field(
                    ("hours", name, "closed"),
                    "Opening hours",
                    f"{name}: closed dates",
                    text,
                    "dates",
                )
            )
    return found
