"""What the history keeps of a fetch's answer, so that replay can give it to a changed flow.

One record per answer a step acted on, in order: the fetch state, the method, the outcome
and HTTP status, and the parsed JSON (`data`) when there is one to keep. The URL is not
kept: it may carry a key from the flow's settings or what the caller typed, and replay
matches answers by state and method, not by address (settings differ per environment).

An answer is not kept when its fetch is `sensitive: true` (`"kept": "sensitive"`), or when
it is larger than KEPT_BYTES written as JSON (`"kept": "too-large"`); replay stops there.
"""

from __future__ import annotations

from typing import Any

from flowengine.history.record import dumps
from flowengine.runtime.effects import MAX_BODY, FetchResult

# A quarter of what a flow accepts from a backend (MAX_BODY): a backend's answer about one
# caller is usually well under 1 KiB, and a history of 100,000 calls with a 64 KiB answer
# each would weigh 6 GB. What the flow accepted above this is recorded as not kept.
KEPT_BYTES = MAX_BODY // 4
SENSITIVE = "sensitive"
TOO_LARGE = "too-large"

Record = dict[str, Any]


def record(state: str, method: str, result: FetchResult, sensitive: bool) -> Record:
    kept: Record = {
        "state": state,
        "method": method,
        "outcome": result.outcome,
        "status": result.status,
    }
    if sensitive:
        return kept | {"kept": SENSITIVE}
    if result.data is None:
        return kept | {"data": None}
    if len(dumps(result.data).encode()) > KEPT_BYTES:
        return kept | {"kept": TOO_LARGE}
    return kept | {"data": result.data}


def answer(kept: Record) -> FetchResult | None:
    """The answer as the flow got it, or None when it was not kept."""
    if "data" not in kept:
        return None
    status = kept.get("status")
    code = None if status is None else int(status)
    return FetchResult(str(kept.get("outcome", "")), code, kept["data"])


def why_not_kept(kept: Record) -> str:
    state = kept.get("state", "")
    if kept.get("kept") == SENSITIVE:
        return f"the answer to the sensitive fetch in {state} was not kept"
    return f"the answer of the fetch in {state} was over {KEPT_BYTES // 1024} KiB and not kept"


def outcome_text(kept: Record) -> str:
    """`ok (HTTP 200)`: what `calls show` prints of a fetch before its answer."""
    status = kept.get("status")
    return f"{kept.get('outcome')}{f' (HTTP {status})' if status is not None else ''}"
