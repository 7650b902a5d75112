"""Say/Play, as Studio's say-play and gather widgets write it."""

from __future__ import annotations

from typing import Any

from flowengine.importers.studio.context import CHECK, ImportContext
from flowengine.importers.studio.definition import Widget


def prompt(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    """The say, play or digits of a widget, as flowengine prompt keys."""
    loop = _int(widget.prop("loop"), 1)
    if widget.prop("say"):
        text = ctx.rewrite(widget.prop("say"), widget)
        options = {
            "voice": widget.prop("voice"),
            "language": widget.prop("language"),
            "loop": loop if loop != 1 else None,
        }
        options = {k: v for k, v in options.items() if v is not None}
        return {"say": {"text": text, **options} if options else text}
    if widget.prop("play"):
        url = ctx.rewrite(widget.prop("play"), widget)
        return {"play": {"url": url, "loop": loop} if loop != 1 else url}
    if widget.prop("digits"):
        return {"play": {"digits": str(widget.prop("digits"))}}
    ctx.note(widget, CHECK, "it has nothing to say or play in the export")
    return {}


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
