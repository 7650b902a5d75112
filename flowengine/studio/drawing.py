"""A flow's diagram as SVG, drawn from the layout of `layout.py`.

Every text is escaped here: state names and labels come from the flow file. States are
focusable buttons (Tab, then Enter) and carry their name in `data-state` for the script.
"""

from __future__ import annotations

from html import escape

from flowengine.flow.graph import Graph
from flowengine.studio.layout import BOX_H, BOX_W, GAP_Y, LOOPS_W, Placed, Point, Route, layout

LABEL_MAX = 22
CHAR_W, LINE_H = 6.0, 13.0  # an edge label's character width and line height, roughly
MARKER = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
    'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
    '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
)


def svg(graph: Graph, counts: dict[tuple[str, str], int] | None = None) -> str:
    """The diagram; with `counts` (calls per pair of states, from the history) each line
    carries its count and is drawn as wide as its share of the busiest line."""
    drawn = layout(graph)
    busiest = max(counts.values(), default=0) if counts else 0
    width, height = drawn.width, drawn.height
    parts = [
        f'<svg class="diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="max-width:{width:.0f}px" role="group" '
        f'aria-label="Diagram of flow {escape(graph.name)}">',
        MARKER,
        '<g class="edges">',
    ]
    loops = 0
    labels: list[tuple[float, float, float]] = []  # (x, y, half width) of labels placed
    for route in drawn.routes:
        if route.back:
            path, (lx, ly) = _loop(route, width, loops)
            loops += 1
        else:
            path, (lx, ly) = _forward(route.points)
        link = route.link
        dashed = " dashed" if link.dashed else ""
        count = counts.get((link.source, link.target), 0) if counts is not None else None
        extra = width_style = ""
        if count is not None:
            extra = f' data-count="{count}"'
            width_style = f' style="stroke-width:{1 + 7 * count / busiest if busiest else 1:.1f}"'
        parts.append(
            f'<g class="edge{dashed}" data-source="{escape(link.source)}" '
            f'data-target="{escape(link.target)}"{extra}><path d="{path}"{width_style} '
            'marker-end="url(#arrow)"/>'
        )
        if link.label:
            short = link.label
            if len(short) > LABEL_MAX:
                short = short[: LABEL_MAX - 1] + "…"
            lx, ly = _free_spot(lx, ly, len(short) * CHAR_W / 2, labels)
            parts.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" class="edge-label"><title>'
                f"{escape(link.label)}</title>{escape(short)}</text>"
            )
            ly += LINE_H
        if count is not None:
            calls = "1 call" if count == 1 else f"{count} calls"
            cx, cy = _free_spot(lx, ly, len(calls) * CHAR_W / 2, labels)
            parts.append(f'<text x="{cx:.0f}" y="{cy:.0f}" class="edge-count">{calls}</text>')
        parts.append("</g>")
    parts.append('</g><g class="nodes">')
    parts.extend(_node(item) for item in drawn.placed.values())
    parts.append("</g></svg>")
    return "".join(parts)


def _free_spot(x: float, y: float, half: float, taken: list[tuple[float, float, float]]) -> Point:
    """Move a label down a line at a time until it overlaps no label placed before it."""
    for _ in range(4):
        if not any(abs(x - tx) < half + th and abs(y - ty) < LINE_H for tx, ty, th in taken):
            break
        y += LINE_H
    taken.append((x, y, half))
    return x, y


def _forward(points: tuple[Point, ...]) -> tuple[str, Point]:
    """Smooth curves with vertical ends between the points; straight through placeholders."""
    (x0, y0), rest = points[0], points[1:]
    path = [f"M{x0:.0f},{y0:.0f}"]
    label: Point | None = None
    for x1, y1 in rest:
        if x1 == x0:
            path.append(f"L{x1:.0f},{y1:.0f}")
        else:
            mid = (y0 + y1) / 2
            path.append(f"C{x0:.0f},{mid:.0f} {x1:.0f},{mid:.0f} {x1:.0f},{y1:.0f}")
        if label is None:
            # A long edge carries its label near its source, where it is still apart.
            t = 0.5 if len(points) == 2 and y1 - y0 <= GAP_Y + 1 else 0.3
            ease = 3 * t * t - 2 * t**3
            label = (x0 + (x1 - x0) * ease, y0 + (y1 - y0) * t - 4)
        x0, y0 = x1, y1
    return " ".join(path), label or points[0]


def _loop(route: Route, width: float, loops: int) -> tuple[str, Point]:
    """Back up (or to itself): out of the right side, round the outside, into the top."""
    (sx, sy), (tx, ty) = route.points
    lane = width - LOOPS_W + 10 + (loops % 6) * 14
    ry, tx = sy + BOX_H / 2, tx + BOX_W / 2 + 20
    d = (
        f"M{sx + BOX_W:.0f},{ry:.0f} C{lane:.0f},{ry:.0f} {lane:.0f},{ty - 30:.0f} "
        f"{tx:.0f},{ty - 30:.0f} L{tx:.0f},{ty:.0f}"
    )
    # The label sits on the curve's middle (t = 0.5 of the cubic).
    x0 = sx + BOX_W
    return d, (0.125 * x0 + 0.75 * lane + 0.125 * tx + 4, 0.5 * ry + 0.5 * (ty - 30))


def _node(item: Placed) -> str:
    node = item.node
    name, _, detail = node.label.partition("\n")
    at = f'transform="translate({item.x:.0f},{item.y:.0f})"'
    if node.kind == "start":
        return (
            f'<g class="node start" {at}><rect width="{BOX_W}" height="{BOX_H}" rx="23"/>'
            f'<text x="{BOX_W / 2:.0f}" y="28" class="name">call comes in</text></g>'
        )
    if node.kind != "external":
        attrs = (
            f' tabindex="0" role="button" data-state="{escape(node.key)}" '
            f'aria-label="State {escape(name)}: {escape(detail)}"'
        )
    else:
        attrs = f' aria-label="{escape(" ".join(node.label.split()))}"'
    return (
        f'<g class="node {node.kind}" {at}{attrs}>'
        f'<rect width="{BOX_W}" height="{BOX_H}" rx="{14 if node.kind == "switch" else 6}"/>'
        f'<text x="12" y="19" class="name">{escape(_clip(name, 20))}</text>'
        f'<text x="12" y="36" class="detail">{escape(_clip(" ".join(detail.split()), 24))}</text>'
        "</g>"
    )


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
