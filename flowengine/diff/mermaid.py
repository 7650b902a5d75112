"""The new flow as a Mermaid diagram with the change drawn on it: added states and ways in
green, removed ones in red (dashed), changed and renamed states in amber."""

from __future__ import annotations

from dataclasses import replace

from flowengine.diff.changes import FlowDiff
from flowengine.flow.diagram import Link, Node, mermaid_of, model
from flowengine.flow.graph import Graph

MARK_STYLES = (
    ("added", "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px"),
    ("removed", "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 4"),
    ("changed", "fill:#fff8c5,stroke:#9a6700,stroke-width:3px"),
)
ADDED_LINK = "stroke:#1a7f37,stroke-width:3px"
CHANGED_LINK = "stroke:#9a6700,stroke-width:3px"
REMOVED_LINK = "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 4"


def diff_mermaid(flow: FlowDiff, old: Graph | None, new: Graph | None) -> str:
    shown = new if new is not None else old
    assert shown is not None
    nodes, links = model(shown)
    marks: dict[str, str] = {}
    renamed = {s.old: s.new for s in flow.states if s.status == "renamed" and s.old and s.new}
    for state in flow.states:
        if state.status == "added" or (state.status == "removed" and new is None):
            marks[state.name] = state.status
        elif state.status in ("changed", "renamed"):
            marks[state.name] = "changed"
    if renamed:
        nodes = [
            replace(n, label=f"{n.label}\n(was {old_name})")
            if (old_name := _old_name(renamed, n.key))
            else n
            for n in nodes
        ]
    link_styles: dict[int, str] = {}
    if old is not None and new is not None:
        old_nodes = {n.key: n for n in model(old)[0]}
        for state in flow.states:
            if state.status == "removed" and state.old in old_nodes:
                node = old_nodes[state.old]
                key = state.old if state.old not in shown.states else f"removed:{state.old}"
                nodes.append(Node(key, f"{node.label}\n(removed)", node.kind))
                marks[key] = "removed"
        keys = {n.key for n in nodes}
        styled = {
            (e.source, e.label, e.target): ADDED_LINK if e.status == "added" else CHANGED_LINK
            for e in flow.edges
            if e.status != "removed"
        }
        for index, link in enumerate(links):
            style = styled.get((link.source, link.label, link.target))
            if style is not None:
                link_styles[index] = style
        for edge in flow.edges:
            if edge.status != "removed":
                continue
            source = _drawn(edge.source, keys, shown)
            target = _drawn(edge.target, keys, shown)
            if source and target:
                link_styles[len(links)] = REMOVED_LINK
                links.append(Link(source, target, f"{edge.label} (removed)", dashed=True))
    title = f"flow {flow.name}: changes drawn by flowengine diff"
    return mermaid_of(title, nodes, links, marks, MARK_STYLES, link_styles)


def _old_name(renamed: dict[str, str], key: str) -> str | None:
    for old, new in renamed.items():
        if new == key:
            return old
    return None


def _drawn(name: str, keys: set[str], shown: Graph) -> str | None:
    if name in shown.states:
        return name
    if f"removed:{name}" in keys:
        return f"removed:{name}"
    return name if name in keys else None
