"""Which newer flow-language keys this flowengine has (the schema says), to map onto them."""

from __future__ import annotations

from functools import cache

from flowengine.flow.schema import flow_schema


@cache
def supports(key: str) -> bool:
    state = flow_schema().get("$defs", {}).get("state", {})
    return key in state.get("properties", {})
