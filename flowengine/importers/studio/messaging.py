"""Messaging widgets: send-message and send-and-wait-for-reply."""

from __future__ import annotations

from typing import Any

from flowengine.importers.studio.context import CHECK, MISSING, SAME, ImportContext
from flowengine.importers.studio.definition import Widget
from flowengine.importers.studio.unsupported import placeholder


def send_message(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    body = ctx.rewrite(widget.prop("body", ""), widget)
    media = [ctx.rewrite(m, widget) for m in _media(widget)]
    to = ctx.number(widget, "to", widget.prop("to", "{{contact.channel.address}}"))
    sender = ctx.number(widget, "from", widget.prop("from", "{{flow.channel.address}}"))
    if widget.goes("failed"):
        ctx.note(
            widget, CHECK, f"its 'failed' branch (to '{widget.goes('failed')}') is not followed"
        )
    if ctx.channel == "sms":
        spec: dict[str, Any] = {"reply": body}
        if media:
            spec["media"] = media
        if _plain(to) != "call.from":
            ctx.note(
                widget, MISSING, f"it texted {to}, not the person texting: the reply goes to them"
            )
        else:
            ctx.note(widget, SAME, "sends the same text")
        return {**spec, "next": ctx.goto(widget, "sent")}
    sms: dict[str, Any] = {"body": body}
    if _plain(to) != "call.from":
        sms["to"] = to
    if _plain(sender) != "call.to":
        sms["from"] = sender
    if media:
        sms["media"] = media
    ctx.note(widget, SAME, "sends the same text during the call")
    return {"sms": sms, "next": ctx.goto(widget, "sent")}


def send_and_wait(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    if ctx.channel != "sms":
        return placeholder(widget, ctx, "waiting for a text reply during a call")
    spec: dict[str, Any] = {"reply": ctx.rewrite(widget.prop("body", ""), widget)}
    media = [ctx.rewrite(m, widget) for m in _media(widget)]
    if media:
        spec["media"] = media
    spec["on"] = {"no-match": ctx.goto(widget, "incomingMessage")}
    for event in ("timeout", "deliveryFailure"):
        if widget.goes(event):
            ctx.note(
                widget,
                MISSING,
                f"its '{event}' branch (to '{widget.goes(event)}') is not followed: a text "
                "conversation in flowengine waits until the next text",
            )
    ctx.note(widget, SAME, "sends the question and waits for the reply")
    return spec


def _media(widget: Widget) -> list[str]:
    media = widget.prop("media_url")
    if isinstance(media, str):
        return [m.strip() for m in media.split(",") if m.strip()]
    return [str(m) for m in media] if isinstance(media, list) else []


def _plain(template: str) -> str:
    return template.replace("{{", "").replace("}}", "").strip()
