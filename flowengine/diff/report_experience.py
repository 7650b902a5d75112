"""The caller-experience figures of flows on their own (`flowengine experience`)."""

from __future__ import annotations

import json
from typing import Any

from flowengine.diff.experience import figures
from flowengine.diff.wording import figure_rows
from flowengine.flow.graph import Graph


def experience(graphs: dict[str, Graph], rate: float, fmt: str = "text") -> str:
    found = [figures(graphs[name], rate).as_json() for name in sorted(graphs)]
    voice = [
        f for f, name in zip(found, sorted(graphs), strict=True) if graphs[name].channel == "voice"
    ]
    if fmt == "json":
        return json.dumps({"words_per_minute": rate, "flows": voice}, indent=2) + "\n"
    lines = [f"caller experience at {rate:g} words a minute"]
    for flow in voice:
        lines += ["", f"flow {flow['flow']} ({graphs[flow['flow']].path})"]
        for label, _, value in _rows(flow):
            lines.append(f"  {label:<29}{value}")
            way = flow["to_a_person"].get(label.split()[0]) if "way to" in label else None
            if way:
                lines.append(f"  {'':<29}{' -> '.join(way['path'])}")
    return "\n".join(lines) + "\n"


def _rows(flow: dict[str, Any]) -> list[tuple[str, str, str]]:
    return figure_rows({"new": flow})
