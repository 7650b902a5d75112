"""Widgets flowengine cannot run: a state that keeps the caller safe, and says what it was."""

from __future__ import annotations

import json
from typing import Any

from flowengine.importers.studio.context import MISSING, ImportContext
from flowengine.importers.studio.definition import Widget

KNOWN = {
    "send-to-flex": "handing the call to Twilio Flex",
    "capture-payments": "taking a card payment",
    "connect-virtual-agent": "a virtual agent (Dialogflow)",
    "fork-stream": "streaming the call's audio",
    "send-to-autopilot": "an Autopilot bot",
    "make-outgoing-call-v2": "placing a new call from the middle of a flow (start calls into a "
    "flow with `flowengine call`)",
}


def placeholder(widget: Widget, ctx: ImportContext, why: str = "") -> dict[str, Any]:
    what = why or KNOWN.get(
        widget.type, f"a widget of type '{widget.type}' flowengine does not know"
    )
    fallback = ctx.fallback_state()
    ctx.note(
        widget,
        MISSING,
        f"{what}: not carried over. The caller hears a short apology and goes to "
        f"'{fallback}'. Rebuild it by hand",
    )
    shown = {k: v for k, v in widget.properties.items() if k != "offset" and v not in (None, "")}
    comment = [f"Studio widget '{widget.name}' ({widget.type}) cannot run in flowengine: {what}."]
    comment += [
        "  " + line for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines()
    ]
    ctx.comments.setdefault(ctx.names[widget.name], []).extend(comment)
    marker = {"x-studio-unsupported": f"{widget.name} ({widget.type})"}
    if ctx.channel == "sms":
        return {**marker, "reply": "Sorry, we cannot do that here.", "next": fallback}
    return {
        **marker,
        "say": "Sorry, this part of our phone menu is not available.",
        "next": fallback,
    }
