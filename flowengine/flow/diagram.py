"""A flow as a Mermaid or Graphviz DOT diagram, drawn from the compiled Graph.

The output is deterministic (nodes and edges sorted, ids derived from state names, labels
escaped), so a diagram kept in git changes only where the flow changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flowengine.flow.graph import Graph, State

START = "(start)"


@dataclass(frozen=True, order=True)
class Node:
    key: str  # a state name, START, or "flow:NAME[:STATE]" / "url:URL" for external nodes
    label: str
    kind: str  # start, wait, switch, fetch, pass, ending, external


@dataclass(frozen=True, order=True)
class Link:
    source: str
    target: str
    label: str
    dashed: bool = False


def model(graph: Graph) -> tuple[list[Node], list[Link]]:
    nodes = [Node(START, "start", "start")]
    links = [Link(edge.source, edge.target, edge.label) for edge in graph.edges]
    leaving = {edge.source for edge in graph.edges}
    for name in sorted(graph.states):
        state = graph.states[name]
        ending = state.ends or name not in leaving
        kind = "ending" if ending else _kind(state)
        nodes.append(Node(name, f"{name}\n{_describe(graph, state, ending)}", kind))
        external = _external(graph, state)
        if external is not None:
            nodes.append(external)
            links.append(Link(name, external.key, "hand-over", dashed=True))
    start, *rest = nodes
    unique = {node.key: node for node in rest}
    return [start, *sorted(unique.values())], [Link(START, graph.start, ""), *sorted(links)]


def _kind(state: State) -> str:
    if state.action in ("switch", "split"):
        return "switch"
    if state.action == "fetch":
        return "fetch"
    return "wait" if state.waits else "pass"


def _describe(graph: Graph, state: State, ending: bool) -> str:
    if state.fetch is not None:
        return f"fetch {state.fetch.method}\nsaves vars.{state.fetch.save}"
    if state.action:
        return state.action
    if state.waits:
        return "wait for text"
    verb = "reply" if graph.channel == "sms" else "say"
    return f"{verb}, end" if ending else verb


def _external(graph: Graph, state: State) -> Node | None:
    if state.handoff is not None:
        flow, entry = state.handoff
        key = f"flow:{flow}" + (f":{entry}" if entry else "")
        return Node(key, f"flow {flow}" + (f"\nstate {entry}" if entry else ""), "external")
    if state.action == "redirect" and state.next is None:
        spec = graph.data["states"][state.name]["redirect"]
        url = str(spec.get("url", "") if isinstance(spec, dict) else spec)
        return Node(f"url:{state.name}", f"outside URL\n{url}", "external")
    return None


# -- Mermaid ------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "start": '(("{}"))',
    "wait": '["{}"]',
    "switch": '{{"{}"}}',
    "fetch": '[("{}")]',
    "pass": '("{}")',
    "ending": '(["{}"])',
    "external": '[["{}"]]',
}
_MERMAID_STYLES = (
    ("start", "entry", "fill:#222,stroke:#222,color:#fff"),
    ("ending", "ending", "fill:#fde2e2,stroke:#b42318,stroke-width:2px"),
    ("external", "external", "fill:#f2f2f2,stroke:#666,stroke-dasharray:4 3"),
)


def _mermaid_text(text: str) -> str:
    escaped = "".join(f"#{ord(c)};" if c in '#"<>&|`' else c for c in text)
    return "<br/>".join(escaped.split("\n"))


def _mermaid_ids(nodes: list[Node]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for node in nodes:
        if node.kind == "start":
            ids[node.key] = "start"
            continue
        prefix = "x_" if node.kind == "external" else "s_"
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", node.key)
        candidate, n = base, 1
        while candidate in ids.values():
            n += 1
            candidate = f"{base}_{n}"
        ids[node.key] = candidate
    return ids


def mermaid(graph: Graph) -> str:
    nodes, links = model(graph)
    return mermaid_of(f"flow {graph.name}: drawn by flowengine graph", nodes, links)


def mermaid_of(
    title: str,
    nodes: list[Node],
    links: list[Link],
    marks: Mapping[str, str] | None = None,
    mark_styles: Sequence[tuple[str, str]] = (),
    link_styles: Mapping[int, str] | None = None,
) -> str:
    """Mermaid text for nodes and links; `marks` gives some nodes a class of their own
    (node key -> class name, styled by `mark_styles`), `link_styles` styles links by index."""
    marks = marks or {}
    ids = _mermaid_ids(nodes)
    lines = [f"%% {title}", "flowchart TD"]
    for node in nodes:
        lines.append(
            f"    {ids[node.key]}{_MERMAID_SHAPES[node.kind].format(_mermaid_text(node.label))}"
        )
    for link in links:
        arrow = "-.->" if link.dashed else "-->"
        label = f'|"{_mermaid_text(link.label)}"|' if link.label else ""
        lines.append(f"    {ids[link.source]} {arrow}{label} {ids[link.target]}")
    for kind, name, style in _MERMAID_STYLES:
        members = [ids[n.key] for n in nodes if n.kind == kind and n.key not in marks]
        if members:
            lines.append(f"    classDef {name} {style}")
            lines.append(f"    class {','.join(members)} {name}")
    for name, style in mark_styles:
        members = [ids[n.key] for n in nodes if marks.get(n.key) == name]
        if members:
            lines.append(f"    classDef {name} {style}")
            lines.append(f"    class {','.join(members)} {name}")
    by_style: dict[str, list[int]] = {}
    for index, style in sorted((link_styles or {}).items()):
        by_style.setdefault(style, []).append(index)
    for style, indexes in by_style.items():
        lines.append(f"    linkStyle {','.join(map(str, indexes))} {style}")
    return "\n".join(lines) + "\n"


# -- Graphviz DOT -------------------------------------------------------------------------

_DOT_ATTRS = {
    "start": 'shape=circle, style=filled, fillcolor="#222222", fontcolor=white, width=0.4',
    "wait": "shape=box",
    "switch": "shape=diamond, style=solid",
    "fetch": "shape=cylinder",
    "pass": "shape=box, style=rounded",
    "ending": 'shape=box, style="rounded,filled,bold", fillcolor="#fde2e2", peripheries=2',
    "external": "shape=component, style=dashed",
}


def _dot_text(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


Traffic = Mapping[tuple[str, str, str], int]  # (source, target, label) -> calls


def dot(graph: Graph, traffic: Traffic | None = None) -> str:
    """The DOT diagram; with `traffic`, each edge says how many calls took it and is drawn
    thicker the more did, and edges no call took are grey (`flowengine report`)."""
    nodes, links = model(graph)
    busiest = max(traffic.values(), default=0) if traffic is not None else 0
    lines = [
        f"// flow {graph.name}: drawn by flowengine graph",
        f"digraph {_dot_text(graph.name)} {{",
        '    node [fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in nodes:
        attrs = f"label={_dot_text(node.label)}, {_DOT_ATTRS[node.kind]}"
        lines.append(f"    {_dot_text(node.key)} [{attrs}];")
    for link in links:
        label = link.label
        if traffic is not None and link.source != START and not link.dashed:
            calls = traffic.get((link.source, link.target, link.label), 0)
            label = f"{label} ({calls})" if label else f"({calls})"
            width = 1 + 5 * calls / busiest if busiest and calls else 1
            options = [f"penwidth={width:.1f}"] + ([] if calls else ['color="#bbbbbb"'])
        else:
            options = []
        options = ([f"label={_dot_text(label)}"] if label else []) + options
        options += ["style=dashed"] if link.dashed else []
        suffix = f" [{', '.join(options)}]" if options else ""
        lines.append(f"    {_dot_text(link.source)} -> {_dot_text(link.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Graph], str]] = {"mermaid": mermaid, "dot": dot}
