"""The JSON report, for tools: every change with its old and new value."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flowengine.diff.changes import Change, Diff, FlowDiff
from flowengine.flow.graph import Graph

VERSION = 1


def as_json(diff: Diff, old: dict[str, Graph], new: dict[str, Graph]) -> str:
    document = {
        "version": VERSION,
        "old": diff.old,
        "new": diff.new,
        "changed": diff.changed,
        "words_per_minute": diff.rate,
        "flows": [_flow(flow) for flow in diff.flows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _change(change: Change) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": change.kind,
        "what": change.what,
        "change": change.verb,
        "old": change.old,
        "new": change.new,
    }
    if change.words:
        item["words"] = [{"op": op, "text": text} for op, text in change.words]
    if change.details:
        item["details"] = list(change.details)
    return item


def _flow(flow: FlowDiff) -> dict[str, Any]:
    return {
        "flow": flow.name,
        "status": flow.status,
        "old_path": flow.old_path,
        "new_path": flow.new_path,
        "changes": [_change(c) for c in flow.changes],
        "states": [
            {
                "status": state.status,
                "old": state.old,
                "new": state.new,
                "similarity": state.similarity,
                "changes": [_change(c) for c in state.changes],
            }
            for state in flow.states
        ],
        "edges": [asdict(edge) for edge in flow.edges],
        "unheard": flow.unheard,
        "experience": flow.experience,
        "scenarios": [asdict(impact) for impact in flow.scenarios],
    }
