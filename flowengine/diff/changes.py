"""The change model: what differs for callers, flow by flow and state by state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowengine.diff.words import Piece

# The kinds of change, in the order reports list them.
KINDS = (
    "action",
    "prompt",
    "option",
    "outcome",
    "branch",
    "next",
    "retry",
    "timeout",
    "voice",
    "language",
    "number",
    "text",
    "fetch",
    "hours",
    "setting",
    "start",
    "attribute",
)


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    what: str  # the answer, the prompt and its language, the setting's name
    old: Any = None  # None: added
    new: Any = None  # None: removed
    words: tuple[Piece, ...] = ()  # for a prompt: the word diff
    details: tuple[str, ...] = ()  # for hours: when callers find it open or closed differently

    @property
    def verb(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


@dataclass
class StateDiff:
    old: str | None  # None: an added state
    new: str | None  # None: a removed state
    changes: list[Change] = field(default_factory=list)
    similarity: float | None = None  # for a rename

    @property
    def status(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "renamed" if self.old != self.new else "changed"

    @property
    def name(self) -> str:
        return self.new or self.old or ""


@dataclass
class EdgeChange:
    source: str
    label: str
    target: str
    status: str  # added, removed or changed (names on the new side where the state still exists)
    old_label: str | None = None  # for a changed edge: the answers that took it before


@dataclass
class ScenarioImpact:
    file: str
    line: int
    name: str
    touches: list[str]  # the changed states it goes through
    passed_old: bool | None  # None: it could not run on that side (the flow is new or gone)
    passed_new: bool | None
    failure: str | None = None  # why it fails on the new side


@dataclass
class FlowDiff:
    name: str
    status: str  # added, removed, changed, unchanged
    old_path: str | None
    new_path: str | None
    changes: list[Change] = field(default_factory=list)  # flow-wide
    states: list[StateDiff] = field(default_factory=list)
    edges: list[EdgeChange] = field(default_factory=list)
    unheard: list[str] = field(default_factory=list)  # what changed that callers never meet
    experience: dict[str, Any] = field(default_factory=dict)  # "old"/"new" -> figures
    scenarios: list[ScenarioImpact] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass
class Diff:
    old: str
    new: str
    flows: list[FlowDiff]
    rate: float  # words per minute behind the seconds in the figures

    @property
    def changed(self) -> bool:
        return any(flow.changed for flow in self.flows)
