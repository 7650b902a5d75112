"""What the widget mappers share while one Studio flow is imported: names, notes, settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowengine.importers.studio.definition import StudioFlow, Widget

NAME = re.compile(r"[^A-Za-z0-9_-]+")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")

# How well a widget came over, in words a non-programmer reads in the report.
SAME = "same"  # works as it did in Studio
CHECK = "check"  # works, with a difference worth reading
MISSING = "missing"  # not carried over: someone has to act


@dataclass(frozen=True)
class Goto:
    """A transition, resolved to a state name (and the values it captures) when written."""

    widget: str | None  # the Studio widget it leads to; None: the execution ends there
    origin: str  # the widget it leaves


@dataclass
class Note:
    level: str
    text: str


@dataclass
class ImportContext:
    flow: StudioFlow
    channel: str  # voice or sms
    outbound: bool  # started by the REST API (flowengine call), not by an incoming call
    fallback: str | None = None  # the state unsupported widgets hand the caller to
    subflows: dict[str, str] = field(default_factory=dict)  # FW sid -> flow name
    names: dict[str, str] = field(default_factory=dict)  # widget -> state name
    var_names: dict[str, str] = field(default_factory=dict)  # widget -> its vars' prefix
    captures: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[Note]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)  # state -> comment lines
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # synthetic states
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # widget -> Liquid kept
    folded: dict[str, str] = field(default_factory=dict)  # split -> the gather that took it
    written: set[str] = field(default_factory=set)  # widgets that became a state
    ends_itself: set[str] = field(default_factory=set)  # looping to itself ends the call
    flow_name: str = "imported"
    rewriter: Callable[[str, ImportContext, Widget], str] | None = None

    def __post_init__(self) -> None:
        taken: set[str] = set()
        lowered: set[str] = set()
        for widget in self.flow.widgets.values():
            self.names[widget.name] = unique(state_name(widget.name), taken)
            # Variables are written in lower case: `Menu` and `menu` need two prefixes.
            self.var_names[widget.name] = unique(state_name(widget.name).lower(), lowered)

    @property
    def widgets(self) -> dict[str, Widget]:
        return self.flow.widgets

    def var(self, widget: Widget | str) -> str:
        """The lower-case prefix of the variables a widget's values are kept in."""
        return self.var_names[widget if isinstance(widget, str) else widget.name]

    def note(self, widget: Widget | str, level: str, text: str) -> None:
        name = widget if isinstance(widget, str) else widget.name
        self.notes.setdefault(name, []).append(Note(level, text))

    def goto(self, widget: Widget, event: str) -> Goto:
        return Goto(widget.goes(event), widget.name)

    def rewrite(self, text: Any, widget: Widget) -> str:
        """Studio's Liquid in flowengine's variables (the importer gives the rewriter)."""
        assert self.rewriter is not None
        return self.rewriter("" if text is None else str(text), self, widget)

    def capture(self, widget: str, var: str, template: str) -> None:
        self.captures.setdefault(widget, {})[var] = template

    def setting(self, widget: Widget, label: str, value: str) -> str:
        """An account-bound value becomes a setting read from the environment."""
        name = unique(state_name(f"{widget.name}_{label}").lower(), set(self.settings))
        self.settings[name] = f"${{{name.upper().replace('-', '_')}:-{value}}}"
        return f"{{{{ settings.{name} }}}}"

    def number(self, widget: Widget, label: str, value: Any) -> str:
        """A phone number: literal E.164 numbers move to settings; templates are rewritten."""
        text = str(value or "").strip()
        if E164.match(text):
            return self.setting(widget, label, text)
        return self.rewrite(text, widget)

    def synthetic(self, base: str, spec: dict[str, Any], comment: str) -> str:
        """A state the import adds (the end of the call, a fallback); one of each."""
        for name, existing in self.extra.items():
            if existing == spec:
                return name
        name = unique(base, set(self.names.values()) | set(self.extra))
        self.extra[name] = spec
        self.comments[name] = [comment]
        return name

    def end_state(self) -> str:
        if self.channel == "sms":
            return self.synthetic(
                "end", {}, "Added by the import: in Studio the conversation ends here."
            )
        return self.synthetic(
            "end",
            {"hangup": True},
            "Added by the import: in Studio the execution ends here (the call is hung up).",
        )

    def fallback_state(self) -> str:
        if self.fallback:
            return self.fallback
        if self.channel == "sms":
            spec: dict[str, Any] = {"reply": "Sorry, we cannot help with that here."}
        else:
            spec = {"say": "Sorry, we cannot continue this call. Goodbye.", "hangup": True}
        return self.synthetic(
            "fallback",
            spec,
            "Added by the import: where widgets flowengine cannot run hand the call "
            "(choose another state with --fallback).",
        )


def state_name(text: str) -> str:
    name = NAME.sub("_", text).strip("_-") or "widget"
    return name if name[0].isalnum() or name[0] == "_" else f"w{name}"


def unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    taken.add(candidate)
    return candidate
