"""`split`: send a share of the calls down each branch, for A/B tests of prompts or routes.

The branch is picked from a hash of the CallSid, so a call keeps its branch when Twilio
retries a webhook, and the same call always takes the same branch in a replay.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flowengine.flow import codes
from flowengine.flow.context import CompileContext
from flowengine.flow.graph import Target
from flowengine.flow.loader import KeyPath


def compile_split(
    compiler: CompileContext, state: str, spec: dict[str, Any], path: KeyPath
) -> tuple[tuple[int, Target], ...]:
    branches = []
    for name, percent in spec.items():
        target = compiler.target(name, (*path, name), f"{percent}%")
        if target is not None:
            branches.append((int(percent), target))
    total = sum(int(percent) for percent in spec.values())
    if total != 100:
        compiler.error(
            path,
            *codes.SPLIT_WEIGHTS,
            f"the split in state '{state}' adds up to {total}%, not 100%",
            hint="give each branch its share so that the shares add up to 100",
        )
    return tuple(branches)


def bucket(call_sid: str, state: str) -> int:
    """0-99, the same for one call and state every time (not Python's salted hash())."""
    digest = hashlib.sha256(f"{call_sid}:{state}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def pick(branches: tuple[tuple[int, Target], ...], call_sid: str, state: str) -> Target:
    point, total = bucket(call_sid, state), 0
    for percent, target in branches:
        total += percent
        if point < total:
            return target
    return branches[-1][1]
