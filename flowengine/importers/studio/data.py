"""Data dips: make-http-request and run-function, as `fetch` states.

A flowengine without `fetch` in its flow language gets a state that goes on as Studio does
when the request fails, keeps the whole request in a comment, and is flagged.
"""

from __future__ import annotations

import json
from typing import Any

from flowengine.importers.studio.context import CHECK, MISSING, SAME, ImportContext, state_name
from flowengine.importers.studio.definition import Widget
from flowengine.importers.studio.support import supports

DIPS = ("make-http-request", "run-function")


def http_request(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    return _dip(widget, ctx, str(widget.prop("method", "GET")).upper(), widget.prop("url", ""))


def run_function(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    # Studio posts the parameters to the Function as a form; the URL is account-bound.
    url = str(widget.prop("url", ""))
    if url and supports("fetch"):
        url = ctx.setting(widget, "url", url)
    return _dip(widget, ctx, "POST", url)


def _dip(widget: Widget, ctx: ImportContext, method: str, url: str) -> dict[str, Any]:
    ok, failed = (
        ctx.goto(widget, "success"),
        ctx.goto(widget, "failed" if widget.goes("failed") else "fail"),
    )
    if not supports("fetch"):
        ctx.comments.setdefault(ctx.names[widget.name], []).extend(_request_comment(widget))
        ctx.note(
            widget,
            MISSING,
            "flowengine has no data dip (fetch) yet: the call goes on as if the request "
            f"had failed (to '{failed.widget or 'the end'}'); the request is kept in a comment",
        )
        return {"x-studio-unsupported": f"{widget.name} ({widget.type})", "next": failed}
    fetch: dict[str, Any] = {
        "url": ctx.rewrite(url, widget),
        "method": "POST" if method == "POST" else "GET",
    }
    params = {
        state_name(str(p["key"])): ctx.rewrite(p.get("value", ""), widget)
        for p in widget.prop("parameters") or []
        if isinstance(p, dict) and p.get("key")
    }
    body = widget.prop("body")
    if fetch["method"] == "POST":
        if "json" in str(widget.prop("content_type", "")) and body:
            try:
                loaded = json.loads(str(body))
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                fetch["body"] = _templates(loaded, widget, ctx)
            else:
                ctx.note(
                    widget, MISSING, "its JSON body is not an object of values; it is not sent"
                )
        elif params:
            fetch["form"] = params
    elif params:
        ctx.note(widget, CHECK, "its parameters are not sent with a GET: put them in the URL")
    fetch["save"] = ctx.var(widget)
    ctx.note(widget, SAME, f"asks {fetch['url']} and keeps the answer in vars.{fetch['save']}")
    return {"fetch": fetch, "on": {"ok": ok}, "next": failed}


def _templates(value: Any, widget: Widget, ctx: ImportContext) -> Any:
    """A JSON body's text values rewritten, its shape (objects, lists, numbers) kept."""
    if isinstance(value, dict):
        return {k: _templates(v, widget, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_templates(v, widget, ctx) for v in value]
    return ctx.rewrite(value, widget) if isinstance(value, str) else value


def widget_field(widget: Widget, field: str, ctx: ImportContext) -> str | None:
    """`widgets.NAME.parsed.x` of a data dip, once fetch exists: `vars.name.x`."""
    if widget.type not in DIPS or not supports("fetch"):
        return None
    parts = field.split(".")
    if parts[0] == "parsed":
        return ".".join([f"vars.{ctx.var(widget)}", *parts[1:]])
    if field == "status_code":
        # call.fetch_status is the latest fetch's: keep this widget's as the call leaves it.
        var = f"{ctx.var(widget)}_status_code"
        ctx.capture(widget.name, var, "{{ call.fetch_status }}")
        return f"vars.{var}"
    return None


def _request_comment(widget: Widget) -> list[str]:
    lines = ["The Studio request, not yet made by flowengine:"]
    shown = {k: v for k, v in widget.properties.items() if k != "offset" and v not in (None, "")}
    for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines():
        lines.append("  " + line)
    return lines
