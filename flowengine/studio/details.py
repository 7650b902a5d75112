"""What the page shows when a state is picked: its prompts, its ways out, its file lines."""

from __future__ import annotations

from typing import Any

from flowengine.flow.graph import Graph, targets

PROMPT_PLACES = (("say",), ("gather", "say"))


def prompts(spec: Any) -> dict[str, str]:
    """The words a state says, by language ("" when the flow has one language)."""
    found: dict[str, str] = {}
    for place in PROMPT_PLACES:
        value: Any = spec
        for key in place:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            found.setdefault("", value)
        elif isinstance(value, dict):
            found.update((str(k), str(v)) for k, v in value.items() if isinstance(v, str))
    return found


def spans(graph: Graph) -> dict[str, tuple[int, int]]:
    """First and last file line of each state's block."""
    doc = graph.document
    starts = sorted((doc.position(("states", name), key=True)[0], name) for name in graph.states)
    source = doc.source.splitlines()
    result: dict[str, tuple[int, int]] = {}
    for i, (first, name) in enumerate(starts):
        last = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(source)
        # A top-level key after the states (hours:, settings:) is not part of the last one.
        top = [n for n in range(first + 1, last + 1) if source[n - 1][:1].isalnum()]
        last = top[0] - 1 if top else last
        while last > first and last <= len(source) and not source[last - 1].strip():
            last -= 1
        result[name] = (first, last)
    return result


def states(graph: Graph) -> dict[str, dict[str, Any]]:
    data = graph.data.get("states", {}) if isinstance(graph.data, dict) else {}
    source = graph.source.splitlines()
    blocks = spans(graph)
    result: dict[str, dict[str, Any]] = {}
    for name, state in graph.states.items():
        spec = data.get(name, {})
        first, last = blocks[name]
        result[name] = {
            "name": name,
            "action": state.action or "say",
            "description": str(spec.get("description", "")) if isinstance(spec, dict) else "",
            "prompts": prompts(spec),
            "ways_out": [{"when": t.label, "to": t.state} for t in targets(state)],
            "file": graph.path,
            "first_line": first,
            "last_line": last,
            "lines": source[first - 1 : last],
        }
    return result
