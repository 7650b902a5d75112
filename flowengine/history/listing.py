"""`flowengine calls` output: one line per call, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from flowengine.history.record import CallRecord
from flowengine.history.transcript import when


def text(calls: Sequence[CallRecord]) -> str:
    if not calls:
        return "no calls\n"
    rows = [("STARTED", "CALL", "FLOW", "FROM", "OUTCOME", "SECONDS", "PATH")]
    for call in calls:
        path = " > ".join(call.path)
        if len(path) > 80:
            path = path[:77] + "..."
        rows.append(
            (
                when(call.started_at),
                call.sid,
                call.flow,
                call.caller,
                call.outcome or "(in progress)",
                f"{call.duration:.0f}",
                path,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(out) + "\n"


def as_json(calls: Sequence[CallRecord]) -> str:
    return json.dumps([call.summary() for call in calls], indent=2) + "\n"
