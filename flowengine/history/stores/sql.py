"""What the SQLite and PostgreSQL stores share: turning a batch into statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowengine.history.record import Note, Step
from flowengine.history.stores import base, rows


def statements(d: base.Dialect, items: Sequence[Step | Note]) -> list[tuple[str, list[Any]]]:
    """(sql, rows) to run with executemany, in this order: steps, then the calls' rows,
    then notes, then the statuses that close calls. The call upsert compares revisions,
    so its order within the batch does not matter; a status is applied after the steps of
    its batch, as it arrived after them."""
    steps = [item for item in items if isinstance(item, Step)]
    notes = [item for item in items if isinstance(item, Note)]
    plan = [
        (base.insert_step(d), [rows.step_row(s) for s in steps]),
        (base.upsert_call(d), [rows.call_row(s) for s in steps]),
        (base.insert_note(d), [rows.note_row(n) for n in notes]),
        (base.close_by_status(d), [rows.status_row(n) for n in notes if n.kind == "status"]),
    ]
    return [(sql, params) for sql, params in plan if params]
