"""One Studio flow in, one flowengine flow (YAML text) and its import report out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowengine.importers.studio import calls, control, data, liquid, messaging, split, voice
from flowengine.importers.studio.context import CHECK, Goto, ImportContext, Note
from flowengine.importers.studio.definition import StudioError, StudioFlow, Widget, parse_text
from flowengine.importers.studio.report import report
from flowengine.importers.studio.unsupported import placeholder
from flowengine.importers.studio.writer import write

Mapper = Callable[[Widget, ImportContext], dict[str, Any]]

# Studio widget type -> the function that writes its state.
WIDGETS: dict[str, Mapper] = {
    "say-play": voice.say_play,
    "gather-input-on-call": voice.gather,
    "connect-call-to": voice.connect_call_to,
    "record-voicemail": voice.record_voicemail,
    "record-call": voice.record_call,
    "enqueue-call": calls.enqueue_call,
    "add-twiml-redirect": calls.add_twiml_redirect,
    "split-based-on": split.split_based_on,
    "set-variables": control.set_variables,
    "run-subflow": control.run_subflow,
    "send-message": messaging.send_message,
    "send-and-wait-for-reply": messaging.send_and_wait,
    "make-http-request": data.http_request,
    "run-function": data.run_function,
}
OUTGOING = ("make-outgoing-call-v2", "make-outgoing-call")
MESSAGING = ("send-message", "send-and-wait-for-reply")
REPEATS_HANDLED = ("gather-input-on-call", "say-play", "trigger")  # voice.py counts their rounds
WAITING = ("connect-call-to", "record-voicemail", "enqueue-call", "send-and-wait-for-reply")


@dataclass
class Imported:
    yaml: str
    report: str
    notes: dict[str, list[Note]]
    channel: str


def import_file(
    path: str | Path,
    name: str,
    *,
    fallback: str | None = None,
    channel: str | None = None,
    subflows: dict[str, str] | None = None,
) -> Imported:
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StudioError(str(source), f"cannot read the file ({exc})") from None
    return import_definition(
        parse_text(text, str(source)),
        name,
        fallback=fallback,
        channel=channel,
        subflows=subflows,
        source=source.name,
    )


def import_definition(
    flow: StudioFlow,
    name: str,
    *,
    fallback: str | None = None,
    channel: str | None = None,
    subflows: dict[str, str] | None = None,
    source: str = "",
) -> Imported:
    trigger = flow.widgets[flow.initial]
    chosen, entry, outbound = _entry(trigger, channel, flow)
    ctx = ImportContext(
        flow,
        chosen,
        outbound,
        subflows=dict(subflows or {}),
        flow_name=name,
        rewriter=liquid.rewrite,
    )
    if fallback is not None:
        if fallback not in flow.widgets:
            raise StudioError(
                "--fallback",
                f"there is no widget '{fallback}' in this flow",
                "name the widget (as Studio shows it) the caller should go to",
            )
        ctx.fallback = ctx.names[fallback]
    start = _start(entry, ctx)
    states: list[tuple[str, dict[str, Any]]] = []
    for widget in _call_order(flow, entry):
        if widget.type == "trigger" or widget.name in ctx.folded:
            continue
        if widget.type in OUTGOING and entry == widget.name and outbound:
            continue
        mapper = WIDGETS.get(widget.type, placeholder)
        spec = mapper(widget, ctx)
        state = ctx.names[widget.name]
        ctx.comments[state] = [
            f"Studio: {widget.name} ({widget.type})",
            *ctx.comments.get(state, []),
        ]
        states.append((state, spec))
        ctx.written.add(widget.name)
        if widget.type not in REPEATS_HANDLED and widget.name in {
            t.next for t in widget.transitions
        }:
            _repeats(widget, ctx)
    _other_triggers(trigger, chosen, ctx)
    if not outbound and start == ctx.names.get(entry or "") and ctx.channel == "sms":
        start = _sms_opening(start, dict(states), ctx)
    start_name = write_start(start, ctx)
    header: dict[str, Any] = {"description": flow.description or f"Imported from Studio ({source})"}
    if chosen == "sms":
        header["channel"] = "sms"
    header["start"] = start_name
    states += [(n, s) for n, s in ctx.extra.items() if n not in dict(states)]
    intro = [
        f"Imported from Twilio Studio by `flowengine import studio` ({source or 'definition'}).",
        "Read the import report before you put this flow live.",
    ]
    text = write(ctx, header, states, intro)
    return Imported(text, report(ctx, name, source, start_name), ctx.notes, chosen)


def write_start(start: str | Goto, ctx: ImportContext) -> str:
    if isinstance(start, str):
        return start
    if start.widget is None:
        return ctx.end_state()
    return ctx.names[start.widget]


def _entry(trigger: Widget, channel: str | None, flow: StudioFlow) -> tuple[str, str | None, bool]:
    call, message, request = (
        trigger.goes(e) for e in ("incomingCall", "incomingMessage", "incomingRequest")
    )
    parent = trigger.goes("incomingParent")
    asked = {"voice": call, "sms": message}.get(channel or "")
    if channel is not None and not (asked or request or parent):
        event = "incomingCall" if channel == "voice" else "incomingMessage"
        other = "sms" if channel == "voice" else "voice"
        raise StudioError(
            f"--channel {channel}",
            f"the Trigger's '{event}' branch leads nowhere: this flow does not answer there",
            f"import it with --channel {other}, or leave --channel out",
        )
    if channel is None:
        texts = request and flow.widgets[request].type in MESSAGING
        channel = "sms" if not call and (message or texts) else "voice"
    if channel == "voice":
        if call:
            return "voice", call, False
        return "voice", request or parent, bool(request)
    if message:
        return "sms", message, False
    return "sms", request or parent, bool(request)


def _start(entry: str | None, ctx: ImportContext) -> str | Goto:
    if entry is None:
        ctx.note("(flow)", CHECK, "the trigger leads nowhere for this channel: the flow only ends")
        return Goto(None, "")
    widget = ctx.widgets[entry]
    if widget.type in OUTGOING and ctx.outbound:
        return calls.outgoing_call_start(widget, ctx)
    if ctx.outbound and ctx.channel == "sms":
        ctx.note(
            "(flow)",
            CHECK,
            "Studio's REST API started this conversation by sending the first text; send it "
            f"with `flowengine sms`, and the flow answers the reply at `{ctx.names[entry]}`",
        )
    return ctx.names[entry]


def _sms_opening(start: str, states: dict[str, dict[str, Any]], ctx: ImportContext) -> str:
    """Studio sends a send-and-wait widget's question before it waits; flowengine would match
    the first text against the start state's keywords instead, so the start only leads there."""
    spec = states.get(start) or {}
    if "on" not in spec:
        return start
    return ctx.synthetic(
        "opening", {"next": start}, "Added by the import: the first text starts here."
    )


def _repeats(widget: Widget, ctx: ImportContext) -> None:
    """A widget that leads back to itself: Studio stops the execution at its 10th run in a row."""
    if widget.type in WAITING:
        ctx.note(
            widget,
            CHECK,
            "it leads back to itself; Studio ends the call when a widget runs 10 times in a "
            "row, flowengine does not count: each round waits for the caller",
        )
        return
    ctx.ends_itself.add(widget.name)
    ctx.note(
        widget,
        CHECK,
        "it leads back to itself without waiting, which Studio stops at the 10th run: the "
        "call ends there instead",
    )


def _other_triggers(trigger: Widget, chosen: str, ctx: ImportContext) -> None:
    events = {"voice": ("incomingMessage",), "sms": ("incomingCall",)}[chosen]
    for event in events:
        if trigger.goes(event):
            other = "sms" if chosen == "voice" else "voice"
            ctx.note(
                trigger,
                CHECK,
                f"its '{event}' branch (to '{trigger.goes(event)}') is a {other} flow: import "
                f"it again with --channel {other} into a second file",
            )


def _call_order(flow: StudioFlow, entry: str | None) -> list[Widget]:
    """Widgets in the order a call meets them (depth first), then the ones no call reaches."""
    seen: list[str] = []
    stack = [entry] if entry else []
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.append(name)
        targets = [t.next for t in flow.widgets[name].transitions if t.next]
        stack.extend(reversed(targets))
    rest = [
        w.name for w in sorted(flow.widgets.values(), key=lambda w: w.index) if w.name not in seen
    ]
    return [flow.widgets[n] for n in seen + rest]
