"""What `flowengine replay` prints: calls that would change, grouped by where they first do."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from flowengine.history.replay import Outcome

EXAMPLES = 3


def groups(outcomes: Sequence[Outcome], kind: str) -> list[tuple[str, list[Outcome]]]:
    found: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.kind == kind:
            found.setdefault(f"{outcome.flow}:{outcome.state}", []).append(outcome)
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def text(outcomes: Sequence[Outcome], label: str) -> str:
    counts = Counter(o.kind for o in outcomes)
    lines = [
        f"Replayed {len(outcomes)} call(s) against {label}: {counts['same']} the same, "
        f"{counts['changed']} changed, {counts['not-replayable']} not replayable."
    ]
    for kind, title in (
        ("changed", "Changed, by the first state where they differ:"),
        ("not-replayable", "Not replayable past:"),
    ):
        grouped = groups(outcomes, kind)
        if not grouped:
            continue
        lines += ["", title]
        for where, members in grouped:
            lines.append(f"  {where}  {len(members)} call(s)")
            for example in members[:EXAMPLES]:
                lines.append(f"    {example.sid}: {example.detail}")
    return "\n".join(lines) + "\n"


def as_json(outcomes: Sequence[Outcome], label: str) -> str:
    counts = Counter(o.kind for o in outcomes)
    body = {
        "against": label,
        "calls": len(outcomes),
        "same": counts["same"],
        "changed": counts["changed"],
        "not_replayable": counts["not-replayable"],
        "groups": [
            {
                "kind": kind,
                "where": where,
                "calls": [{"sid": o.sid, "detail": o.detail} for o in members],
            }
            for kind in ("changed", "not-replayable")
            for where, members in groups(outcomes, kind)
        ],
    }
    return json.dumps(body, indent=2) + "\n"
