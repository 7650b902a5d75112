"""Two versions of a flow -> the changes a caller would notice, state by state."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flowengine.diff.changes import Change, EdgeChange, FlowDiff, StateDiff
from flowengine.diff.facts import FlowFacts, StateFacts, flow_facts
from flowengine.diff.hours import compare_hours
from flowengine.diff.matching import Match, match_states
from flowengine.diff.words import word_diff
from flowengine.flow.graph import Graph

_OUTCOME_ACTIONS = frozenset({"dial", "record", "enqueue"})


def compare_flows(old: Graph | None, new: Graph | None, since: date) -> FlowDiff:
    if old is None or new is None:
        present = new if old is None else old
        assert present is not None
        status = "added" if old is None else "removed"
        diff = FlowDiff(present.name, status, old.path if old else None, new.path if new else None)
        facts = flow_facts(present)
        for name in facts.states:
            diff.states.append(StateDiff(None, name) if old is None else StateDiff(name, None))
        return diff
    a, b = flow_facts(old), flow_facts(new)
    match = match_states(a, b)
    diff = FlowDiff(new.name, "unchanged", old.path, new.path)
    diff.changes = _flow_changes(a, b, match, since)
    for name in sorted(a.states, key=lambda n: a.states[n].line):
        if name in match.removed:
            diff.states.append(StateDiff(name, None))
            continue
        other = match.new_name(name)
        state = StateDiff(name, other, _state_changes(a.states[name], b.states[other], match))
        state.changes += _hours_used(diff.changes, new.data["states"][other])
        state.similarity = match.similarity.get(name)
        if state.changes or state.status == "renamed":
            diff.states.append(state)
    diff.states += [StateDiff(None, name) for name in match.added]
    diff.edges = _edges(old, new, match)
    diff.unheard = _unheard(old, new)
    if diff.changes or diff.states or diff.edges:
        diff.status = "changed"
    return diff


def _flow_changes(a: FlowFacts, b: FlowFacts, match: Match, since: date) -> list[Change]:
    changes: list[Change] = []
    if match.new_name(a.start) != b.start:
        changes.append(Change("start", "the first state", a.start, b.start))
    changes += _attribute_changes(a.attributes, b.attributes)
    for name in sorted(set(a.hours) | set(b.hours)):
        change = compare_hours(
            name,
            a.graph.hours.get(name),
            b.graph.hours.get(name),
            a.hours.get(name),
            b.hours.get(name),
            since,
        )
        if change is not None:
            changes.append(change)
    return changes


def _state_changes(a: StateFacts, b: StateFacts, match: Match) -> list[Change]:
    changes: list[Change] = []
    if a.action != b.action:
        changes.append(
            Change("action", "what the state does", a.action or "speak", b.action or "speak")
        )
    for slot in _union(a.prompts, b.prompts):
        old_texts, new_texts = a.prompts.get(slot, {}), b.prompts.get(slot, {})
        for language in _union(old_texts, new_texts):
            before, after = old_texts.get(language), new_texts.get(language)
            if before == after:
                continue
            what = f"{slot} ({language})" if language else slot
            words = tuple(word_diff(before or "", after or ""))
            changes.append(Change("prompt", what, before, after, words=words))
    kind = "outcome" if b.action in _OUTCOME_ACTIONS else "option"
    for key in _union(a.targets, b.targets):
        before = _renamed(a.targets.get(key), match)
        after = b.targets.get(key)
        if before != after:
            changes.append(Change(_target_kind(key, kind), key, before, after))
    if a.order != b.order and set(a.order) == set(b.order):
        changes.append(
            Change("branch", "the order the branches are tried", list(a.order), list(b.order))
        )
    changes += _attribute_changes(a.attributes, b.attributes)
    return changes


def _hours_used(flow_changes: list[Change], spec: dict[str, Any]) -> list[Change]:
    """A switch that asks whether changed hours are open now decides differently too."""
    used = set(_opens(spec.get("switch")))
    return [c for c in flow_changes if c.kind == "hours" and c.what in used]


def _opens(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["open"])] if "open" in node else []
        return found + [name for value in node.values() for name in _opens(value)]
    if isinstance(node, list):
        return [name for item in node for name in _opens(item)]
    return []


def _target_kind(key: str, kind: str) -> str:
    if key.startswith("when ") or key == "otherwise":
        return "branch"
    if key in ("next", "redirect", "hand-over"):
        return "next"
    if key == "after the last retry":
        return "retry"
    return kind


def _attribute_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in _union(old, new):
        if old.get(key) != new.get(key):
            changes.append(Change(attribute_kind(key), key, old.get(key), new.get(key)))
    return changes


_KINDS = (
    (re.compile(r"(^|\.)(timeout|speech_timeout|time_limit)$"), "timeout"),
    (re.compile(r"^retry\."), "retry"),
    (re.compile(r"(^|\.)voice$"), "voice"),
    (re.compile(r"^(languages\.|language$)|\.language$"), "language"),
    (re.compile(r"^dial\.(number|numbers|client|sip|conference|queue|caller_id)"), "number"),
    (re.compile(r"^sms\."), "text"),
    (re.compile(r"^fetch\b"), "fetch"),
    (re.compile(r"^settings\."), "setting"),
)


def attribute_kind(key: str) -> str:
    for pattern, kind in _KINDS:
        if pattern.search(key):
            return kind
    return "attribute"


def _renamed(target: str | None, match: Match) -> str | None:
    if target is None:
        return None
    name, _, rest = target.partition(" (")
    return match.new_name(name) + (f" ({rest}" if rest else "")


def _edges(old: Graph, new: Graph, match: Match) -> list[EdgeChange]:
    """Ways between two states that appeared, went, or are taken by other answers now."""
    before: dict[tuple[str, str], list[str]] = {}
    after: dict[tuple[str, str], list[str]] = {}
    for edge in old.edges:
        key = (match.new_name(edge.source), match.new_name(edge.target))
        before.setdefault(key, []).append(edge.label)
    for edge in new.edges:
        after.setdefault((edge.source, edge.target), []).append(edge.label)
    changes = []
    for source, target in sorted(set(before) | set(after)):
        was, now = before.get((source, target)), after.get((source, target))
        if was is None or now is None:
            status = "added" if was is None else "removed"
            labels = now if was is None else was
            changes += [EdgeChange(source, label, target, status) for label in labels or []]
        elif sorted(was) != sorted(now):
            changes.append(EdgeChange(source, ", ".join(now), target, "changed", ", ".join(was)))
    return changes


def _unheard(old: Graph, new: Graph) -> list[str]:
    """What differs in the files without reaching a caller (for the report's reassurance)."""
    notes = []
    if old.source != new.source:
        notes.append("the file's text (formatting, comments, order of keys)")
    if old.data.get("description") != new.data.get("description"):
        notes.append("the flow's description")
    for name, spec in new.data["states"].items():
        before = old.data["states"].get(name)
        if isinstance(before, dict) and before.get("description") != spec.get("description"):
            notes.append(f"the description of state '{name}'")
    return notes


def _union(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))
