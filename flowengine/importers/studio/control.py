"""Flow control widgets: set-variables and run-subflow (split-based-on has its own module)."""

from __future__ import annotations

from typing import Any

from flowengine.importers.studio.context import CHECK, SAME, ImportContext, state_name
from flowengine.importers.studio.definition import Widget


def set_variables(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    values = _pairs(widget.prop("variables"), widget, ctx)
    ctx.note(widget, SAME, f"sets {', '.join(values) or 'nothing'} (read them as vars.NAME)")
    spec: dict[str, Any] = {"set": values} if values else {}
    return {**spec, "next": ctx.goto(widget, "next")}


def run_subflow(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    sid = str(widget.prop("flow_sid", ""))
    flow = ctx.subflows.get(sid) or state_name(f"subflow_{sid[-8:] or widget.name}").lower()
    values = _pairs(widget.prop("parameters"), widget, ctx)
    after = [t.next for t in widget.transitions if t.next]
    ctx.note(
        widget,
        CHECK,
        f"hands the call to the flow '{flow}' (import Studio flow {sid or '?'} as {flow}.yaml, "
        f"or pass --subflow {sid}=NAME)"
        + (
            f"; the call does not come back, so what followed it ({', '.join(after)}) does not run"
            if after
            else ""
        ),
    )
    spec: dict[str, Any] = {"set": values} if values else {}
    return {**spec, "redirect": flow}


def _pairs(items: Any, widget: Widget, ctx: ImportContext) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("key"):
            values[state_name(str(item["key"]))] = ctx.rewrite(item.get("value", ""), widget)
    return values
