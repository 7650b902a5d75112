"""A flow's diagram as SVG, laid out on the server from the same model as `flowengine graph`.

Layers by distance from the start, top to bottom; an edge that goes back up (a retry, a
loop to the menu) is drawn as a curve beside the nodes so it never crosses a box. Every
text is escaped here: state names and labels come from the flow file.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from flowengine.flow.diagram import START, Link, Node, model
from flowengine.flow.graph import Graph

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 168, 46, 36, 74, 28
LABEL_MAX = 22
LOOPS_W = 110  # room on the right for the edges that go back up


@dataclass(frozen=True)
class Placed:
    node: Node
    x: float
    y: float


def layers(nodes: list[Node], links: list[Link]) -> list[list[Node]]:
    """Longest-path layers over the edges that go forward (a depth-first walk from the start
    finds the ones that loop back), each layer ordered by where its parents stand."""
    by_key = {node.key: node for node in nodes}
    out: dict[str, list[str]] = {}
    for link in links:
        if link.target in by_key:
            out.setdefault(link.source, []).append(link.target)
    forward: dict[str, list[str]] = {}
    seen: set[str] = set()
    active: set[str] = set()

    def walk(key: str) -> None:
        seen.add(key)
        active.add(key)
        for target in out.get(key, []):
            if target in active:
                continue  # a loop back up: drawn beside the diagram
            forward.setdefault(key, []).append(target)
            if target not in seen:
                walk(target)
        active.discard(key)

    walk(START)
    for key in sorted(by_key):
        if key not in seen:
            walk(key)
    depth: dict[str, int] = {}

    def level(key: str) -> int:
        if key not in depth:
            parents = [k for k, targets in forward.items() if key in targets]
            depth[key] = max((level(p) + 1 for p in parents), default=0)
        return depth[key]

    rows: list[list[Node]] = [[] for _ in range(max(level(k) for k in by_key) + 1)]
    for key in by_key:
        rows[level(key)].append(by_key[key])
    position: dict[str, float] = {}
    for row in rows:

        def centre(node: Node) -> tuple[float, str]:
            parents = [position[k] for k, t in forward.items() if node.key in t and k in position]
            return (sum(parents) / len(parents) if parents else 0.0, node.key)

        row.sort(key=centre)
        position.update((node.key, float(i)) for i, node in enumerate(row))
    return [row for row in rows if row]


def merged(links: list[Link]) -> list[Link]:
    """One drawn edge per pair of states, its labels joined: 1, english; no-input."""
    by_pair: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        by_pair.setdefault((link.source, link.target), []).append(link)
    return [
        Link(a, b, "; ".join(x.label for x in group if x.label), group[0].dashed)
        for (a, b), group in by_pair.items()
    ]


def place(graph: Graph) -> tuple[dict[str, Placed], list[Link], float, float]:
    nodes, links = model(graph)
    links = merged(links)
    rows = layers(nodes, links)
    widest = max(len(row) for row in rows)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + LOOPS_W
    placed: dict[str, Placed] = {}
    for r, row in enumerate(rows):
        span = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - LOOPS_W - span) / 2
        for c, node in enumerate(row):
            placed[node.key] = Placed(
                node, left + c * (BOX_W + GAP_X), MARGIN + r * (BOX_H + GAP_Y)
            )
    height = MARGIN * 2 + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y
    return placed, links, width, height


def svg(graph: Graph) -> str:
    placed, links, width, height = place(graph)
    parts = [
        f'<svg class="diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="max-width:{width:.0f}px" role="group" '
        f'aria-label="Diagram of flow {escape(graph.name)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
        '<g class="edges">',
    ]
    loops = 0
    for link in links:
        source, target = placed.get(link.source), placed.get(link.target)
        if source is None or target is None:
            continue
        path, lx, ly = _route(source, target, width, loops)
        loops += 1 if target.y <= source.y else 0
        dashed = " dashed" if link.dashed else ""
        edge_id = escape(f"{link.source}->{link.target}")
        parts.append(
            f'<g class="edge{dashed}" data-source="{escape(link.source)}" '
            f'data-target="{escape(link.target)}" data-edge="{edge_id}">'
            f'<path d="{path}" marker-end="url(#arrow)"/>'
        )
        if link.label:
            short = (
                link.label if len(link.label) <= LABEL_MAX else link.label[: LABEL_MAX - 1] + "…"
            )
            parts.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" class="edge-label"><title>{escape(link.label)}'
                f"</title>{escape(short)}</text>"
            )
        parts.append("</g>")
    parts.append('</g><g class="nodes">')
    for item in placed.values():
        parts.append(_node(item))
    parts.append("</g></svg>")
    return "".join(parts)


def _route(source: Placed, target: Placed, width: float, loops: int) -> tuple[str, float, float]:
    sx, sy = source.x + BOX_W / 2, source.y + BOX_H
    tx, ty = target.x + BOX_W / 2, target.y
    if target.y > source.y:
        mid = (sy + ty) / 2
        d = f"M{sx:.0f},{sy:.0f} C{sx:.0f},{mid:.0f} {tx:.0f},{mid:.0f} {tx:.0f},{ty:.0f}"
        # A long edge carries its label near its source, where it is still apart from others.
        t = 0.5 if ty - sy <= GAP_Y + 1 else 0.25
        ease = 3 * t * t - 2 * t**3
        y = (1 - t) ** 3 * sy + 3 * (1 - t) ** 2 * t * mid + 3 * (1 - t) * t * t * mid + t**3 * ty
        return d, sx + (tx - sx) * ease, y - 4
    # Back up (or to itself): out of the right side, round the outside, into the top.
    lane = width - 100 + (loops % 6) * 14
    ry = source.y + BOX_H / 2
    d = (
        f"M{source.x + BOX_W:.0f},{ry:.0f} C{lane:.0f},{ry:.0f} {lane:.0f},{ty - 30:.0f} "
        f"{tx + 20:.0f},{ty - 30:.0f} L{tx + 20:.0f},{ty:.0f}"
    )
    return d, min(lane - 40, width - 140), (ry + ty) / 2


def _node(item: Placed) -> str:
    node = item.node
    name, _, detail = node.label.partition("\n")
    if node.kind == "start":
        return (
            f'<g class="node start" transform="translate({item.x:.0f},{item.y:.0f})">'
            f'<rect width="{BOX_W}" height="{BOX_H}" rx="23"/>'
            f'<text x="{BOX_W / 2:.0f}" y="28" class="name">call comes in</text></g>'
        )
    state = node.kind != "external"
    attrs = (
        f' tabindex="0" role="button" data-state="{escape(node.key)}" '
        f'aria-label="State {escape(name)}: {escape(detail)}"'
        if state
        else f' aria-label="{escape(node.label)}"'
    )
    return (
        f'<g class="node {node.kind}" transform="translate({item.x:.0f},{item.y:.0f})"{attrs}>'
        f'<rect width="{BOX_W}" height="{BOX_H}" rx="{6 if node.kind != "switch" else 14}"/>'
        f'<text x="12" y="19" class="name">{escape(_clip(name, 20))}</text>'
        f'<text x="12" y="36" class="detail">{escape(_clip(" ".join(detail.split()), 24))}</text>'
        "</g>"
    )


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
