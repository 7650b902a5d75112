"""Transition coverage: which states and edges of each flow the scenarios exercised.

An edge counts when a step's trace holds exactly (source, label, target) of one of the
graph's edges; retries (state, "no-input", state) are not edges and do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowengine.flow.graph import Edge, Graph
from flowengine.sim.simulate import Run


@dataclass
class FlowCoverage:
    graph: Graph
    states: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)

    @property
    def missed_states(self) -> list[str]:
        return sorted(set(self.graph.states) - self.states)

    @property
    def missed_edges(self) -> list[Edge]:
        return [edge for edge in self.graph.edges if edge not in self.edges]

    @property
    def state_percent(self) -> float:
        return _percent(len(self.states), len(self.graph.states))

    @property
    def edge_percent(self) -> float:
        return _percent(len(self.edges), len(self.graph.edges))

    @property
    def percent(self) -> float:
        """The lower of the two: 100 only when every state and every edge was exercised."""
        return min(self.state_percent, self.edge_percent)

    def summary(self) -> str:
        graph = self.graph
        return (
            f"{graph.name} ({graph.path}): states {len(self.states)}/{len(graph.states)}, "
            f"edges {len(self.edges)}/{len(graph.edges)}, {self.percent:.1f}%"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "flow": self.graph.name,
            "path": self.graph.path,
            "percent": round(self.percent, 1),
            "states": {
                "covered": len(self.states),
                "total": len(self.graph.states),
                "missed": self.missed_states,
            },
            "edges": {
                "covered": len(self.edges),
                "total": len(self.graph.edges),
                "missed": [
                    {"source": e.source, "label": e.label, "target": e.target}
                    for e in self.missed_edges
                ],
            },
        }


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else 100.0 * part / whole


class Coverage:
    def __init__(self) -> None:
        self.flows: dict[Path, FlowCoverage] = {}

    def include(self, graph: Graph) -> FlowCoverage:
        key = Path(graph.path).resolve()
        if key not in self.flows:
            self.flows[key] = FlowCoverage(graph)
        return self.flows[key]

    def record(self, run: Run) -> None:
        flow = self.include(run.graph)
        known = set(run.graph.edges)
        if run.entry is not None:
            flow.states.add(run.entry)
        for source, label, target in run.result.trace:
            flow.states.update((source, target))
            edge = Edge(source, target, label)
            if edge in known:
                flow.edges.add(edge)

    def report(self) -> list[FlowCoverage]:
        return [self.flows[key] for key in sorted(self.flows)]
