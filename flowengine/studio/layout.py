"""Where each state of a diagram stands, and the path of each edge (a small Sugiyama layout).

Layers are longest paths over the edges that go forward (a depth-first walk from the start
finds the ones that loop back); an edge that spans several layers passes through a thin
placeholder in each, so it runs between boxes instead of through them; each layer is
ordered by where its parents stand. Edges that go back up are drawn beside the diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from flowengine.flow.diagram import START, Link, Node, model
from flowengine.flow.graph import Graph

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 168, 46, 36, 74, 28
PASS_W, PASS_GAP = 10, 14  # a placeholder where a long edge crosses a layer
LOOPS_W = 110  # room on the right for the edges that go back up

Point = tuple[float, float]


@dataclass(frozen=True)
class Placed:
    node: Node
    x: float
    y: float


@dataclass(frozen=True)
class Route:
    link: Link
    points: tuple[Point, ...]  # forward: from the source's bottom to the target's top
    back: bool = False  # goes back up (or to its own layer): drawn round the right side


@dataclass
class Layout:
    placed: dict[str, Placed]
    routes: list[Route]
    width: float
    height: float


def merged(links: list[Link]) -> list[Link]:
    """One drawn edge per pair of states, its labels joined: 1, english; no-input."""
    by_pair: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        by_pair.setdefault((link.source, link.target), []).append(link)
    return [
        Link(a, b, "; ".join(x.label for x in group if x.label), group[0].dashed)
        for (a, b), group in by_pair.items()
    ]


def _forward(keys: list[str], links: list[Link]) -> set[tuple[str, str]]:
    out: dict[str, list[str]] = {}
    for link in links:
        out.setdefault(link.source, []).append(link.target)
    forward: set[tuple[str, str]] = set()
    seen: set[str] = set()
    active: set[str] = set()

    def walk(key: str) -> None:
        seen.add(key)
        active.add(key)
        for target in out.get(key, []):
            if target not in active:
                forward.add((key, target))
                if target not in seen:
                    walk(target)
        active.discard(key)

    for key in [START, *sorted(keys)]:
        if key not in seen:
            walk(key)
    return forward


def _depths(keys: list[str], forward: set[tuple[str, str]]) -> dict[str, int]:
    parents: dict[str, list[str]] = {}
    for source, target in forward:
        parents.setdefault(target, []).append(source)
    depth: dict[str, int] = {}

    def level(key: str) -> int:
        if key not in depth:
            depth[key] = max((level(p) + 1 for p in parents.get(key, [])), default=0)
        return depth[key]

    for key in keys:
        level(key)
    return depth


def layout(graph: Graph) -> Layout:
    nodes, links = model(graph)
    links = merged(links)
    by_key = {node.key: node for node in nodes}
    forward = _forward(list(by_key), links)
    depth = _depths(list(by_key), forward)
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for key in by_key:
        rows[depth[key]].append(key)
    preds: dict[str, list[str]] = {}
    chains: dict[tuple[str, str], list[str]] = {}
    for link in links:
        pair = (link.source, link.target)
        if pair not in forward or link.target not in by_key:
            continue
        chain = [
            f"~{link.source}>{link.target}#{d}"
            for d in range(depth[link.source] + 1, depth[link.target])
        ]
        for d, key in zip(range(depth[link.source] + 1, depth[link.target]), chain, strict=True):
            rows[d].append(key)
        chains[pair] = chain
        steps = [link.source, *chain, link.target]
        for before, after in pairwise(steps):
            preds.setdefault(after, []).append(before)
    order: dict[str, float] = {}
    for row in rows:
        row.sort(key=lambda key: _centre(key, preds, order))
        order.update(_spread(row))
    spans = [_span(row) for row in rows]
    width = MARGIN * 2 + max(spans) + LOOPS_W
    placed: dict[str, Placed] = {}
    passes: dict[str, float] = {}
    for r, row in enumerate(rows):
        x = (width - LOOPS_W - spans[r]) / 2
        y = MARGIN + r * (BOX_H + GAP_Y)
        for i, key in enumerate(row):
            if i:
                x += GAP_X if key in by_key or row[i - 1] in by_key else PASS_GAP
            if key in by_key:
                placed[key] = Placed(by_key[key], x, y)
                x += BOX_W
            else:
                passes[key] = x + PASS_W / 2
                x += PASS_W
    height = MARGIN * 2 + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y
    routes = [
        _route(link, placed, passes, chains, depth) for link in links if link.target in placed
    ]
    return Layout(placed, routes, width, height)


def _centre(key: str, preds: dict[str, list[str]], order: dict[str, float]) -> float:
    """Where a node's parents stand in the layers above (a stable sort keeps ties in order)."""
    known = [order[p] for p in preds.get(key, []) if p in order]
    return sum(known) / len(known) if known else 0.0


def _spread(row: list[str]) -> dict[str, float]:
    return {key: float(i) for i, key in enumerate(row)}


def _span(row: list[str]) -> float:
    total = 0.0
    for i, key in enumerate(row):
        real = not key.startswith("~")
        total += BOX_W if real else PASS_W
        if i:
            total += GAP_X if real or not row[i - 1].startswith("~") else PASS_GAP
    return total


def _route(
    link: Link,
    placed: dict[str, Placed],
    passes: dict[str, float],
    chains: dict[tuple[str, str], list[str]],
    depth: dict[str, int],
) -> Route:
    source, target = placed[link.source], placed[link.target]
    if depth[link.target] <= depth[link.source]:
        return Route(link, ((source.x, source.y), (target.x, target.y)), back=True)
    points: list[Point] = [(source.x + BOX_W / 2, source.y + BOX_H)]
    for d, key in enumerate(chains.get((link.source, link.target), []), depth[link.source] + 1):
        top = MARGIN + d * (BOX_H + GAP_Y)
        points += [(passes[key], top), (passes[key], top + BOX_H)]
    points.append((target.x + BOX_W / 2, target.y))
    return Route(link, tuple(points))
