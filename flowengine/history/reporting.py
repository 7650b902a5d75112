"""Build the traffic of each flow in a folder from the history, for `flowengine report`."""

from __future__ import annotations

from pathlib import Path

from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import Graph
from flowengine.history.stores import Filter, HistoryStore
from flowengine.history.stores.base import ScanRow
from flowengine.history.traffic import Traffic


def graphs(target: Path, only: str | None) -> list[Graph]:
    """The flows to report on: one file, or every flow file in a folder."""
    files = (
        [target]
        if target.is_file()
        else sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml"))
    )
    found = [load_flow(str(path)) for path in files]
    return [g for g in found if only is None or g.name == only]


async def traffic(
    store: HistoryStore, graphs: list[Graph], since: float | None, until: float | None
) -> list[Traffic]:
    """Every flow's traffic in one pass over the steps (a call handed over from one flow
    to another counts in each, with the steps it took there)."""
    results = {graph.name: Traffic(graph) for graph in graphs}
    only = graphs[0].name if len(graphs) == 1 else None
    calls: dict[str, list[ScanRow]] = {}
    current = ""
    async for row in store.scan(Filter(flow=only, since=since, until=until)):
        if row[0] != current:
            for flow, rows in calls.items():
                results[flow].add_call(rows)
            calls, current = {}, row[0]
        if row[1] in results:
            calls.setdefault(row[1], []).append(row)
    for flow, rows in calls.items():
        results[flow].add_call(rows)
    return [results[graph.name] for graph in graphs]
