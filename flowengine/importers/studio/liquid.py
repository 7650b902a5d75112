"""Studio's Liquid, rewritten to flowengine's variables.

Studio templates read `trigger.call.From`, `widgets.NAME.Digits`, `flow.variables.x`,
`flow.data.x`, `contact.channel.address`. flowengine reads `call.from`, `vars.x`,
`settings.x`. What a widget reported (its Digits, its DialCallStatus) is copied into a
variable as the call leaves that widget, so later states read the same value Studio would.
A reference that has no flowengine meaning is kept visible as `vars.UNMAPPED_...` (never set,
so the linter points at it) and listed in the report.
"""

from __future__ import annotations

import re

from flowengine.flow.templates import ROOTS, TemplateSyntaxError, compile_template
from flowengine.importers.studio.context import CHECK, MISSING, ImportContext, state_name
from flowengine.importers.studio.data import widget_field
from flowengine.importers.studio.definition import Widget
from flowengine.runtime.variables import CALL_FIELDS

BLOCK = re.compile(r"({{.*?}}|{%.*?%})", re.S)
# A segment: `.name`, `[0]`, or Liquid's bracket form `['name']` / `["name"]`; one group each.
SEGMENT = r"""\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^'\]]*)'\]|\["([^"\]]*)"\]"""
_ANY_SEGMENT = r"""\.[A-Za-z0-9_-]+|\[\d+\]|\['[^'\]]*'\]|\["[^"\]]*"\]"""
REFERENCE = re.compile(r"(?<![\w.'\"])(trigger|widgets|flow|contact)((?:" + _ANY_SEGMENT + r")+)")
QUOTED = re.compile(r"""('[^']*'|"[^"]*")""")
LIQUID_OWN = ("forloop", "tablerowloop")  # Liquid's own names, not the flow's
MESSAGE_FIELDS = {"Body": "body", "From": "from", "To": "to", "MessageSid": "message_sid"}

# What each widget type reports, by Studio field -> the call variable that holds it.
WIDGET_FIELDS: dict[str, dict[str, str]] = {
    "gather-input-on-call": {
        "Digits": "digits",
        "SpeechResult": "speech",
        "Confidence": "confidence",
    },
    "connect-call-to": {
        "DialCallStatus": "dial_status",
        "DialCallDuration": "dial_duration",
        "DialCallSid": "dial_sid",
        "RecordingUrl": "recording_url",
    },
    "record-voicemail": {
        "RecordingUrl": "recording_url",
        "RecordingDuration": "recording_duration",
        "RecordingSid": "recording_sid",
    },
    "enqueue-call": {
        "QueueResult": "queue_result",
        "QueueTime": "queue_time",
        "QueueSid": "queue_sid",
    },
    "send-and-wait-for-reply": {
        "inbound.Body": "body",
        "inbound.From": "from",
        "inbound.To": "to",
        "inbound.MessageSid": "message_sid",
    },
}


NOW = re.compile(r"['\"]now['\"]\s*\|\s*date")


def rewrite(text: str, ctx: ImportContext, widget: Widget) -> str:
    def block(match: re.Match[str]) -> str:
        return REFERENCE.sub(lambda m: _reference(m, ctx, widget), match.group(0))

    if NOW.search(text):
        ctx.note(
            widget,
            CHECK,
            "it reads the clock ('now' | date), in UTC as Studio does; scenarios cannot set "
            "that clock: opening hours (hours: and {open: NAME}) can be tested",
        )
    return _bare(BLOCK.sub(block, text), ctx, widget)


def _bare(text: str, ctx: ImportContext, widget: Widget) -> str:
    """A name Studio read that is not one of its roots (`{{ foo }}`) is kept and flagged too."""
    try:
        paths = compile_template(text).variables
    except TemplateSyntaxError:
        return text  # the flow's own check names the template that does not read
    roots = {re.split(r"[.\[]", path)[0] for path in paths} - {*ROOTS, *LIQUID_OWN}
    if not roots:
        return text
    names = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True))
    bare = re.compile(
        r"(?<![\w.'\"|])(?<!\|\s)(" + names + r")((?:" + _ANY_SEGMENT + r")*)(?![\w(])"
    )

    def unquoted(piece: str) -> str:
        if QUOTED.fullmatch(piece):
            return piece
        return bare.sub(lambda m: _unmapped(m, ctx, widget), piece)

    def block(match: re.Match[str]) -> str:
        return "".join(unquoted(piece) for piece in QUOTED.split(match.group(0)))

    return BLOCK.sub(block, text)


def _reference(match: re.Match[str], ctx: ImportContext, widget: Widget) -> str:
    root, rest = match.group(1), match.group(2)
    parts = ["".join(groups) for groups in re.findall(SEGMENT, rest)]
    found = resolve(root, parts, ctx)
    if found is not None:
        return found
    return _unmapped(match, ctx, widget)


def _unmapped(match: re.Match[str], ctx: ImportContext, widget: Widget) -> str:
    root, rest = match.group(1), match.group(2)
    parts = ["".join(groups) for groups in re.findall(SEGMENT, rest)]
    original = match.group(0)
    name = "UNMAPPED_" + state_name("_".join([root, *parts]))
    ctx.unmapped.setdefault(widget.name, []).append(original)
    ctx.note(
        widget,
        MISSING,
        f"`{original}` has no flowengine equivalent; it reads as `vars.{name}`, which is "
        "empty until you set it or change the text",
    )
    return f"vars.{name}"


def resolve(root: str, parts: list[str], ctx: ImportContext) -> str | None:
    dotted = ".".join(parts)
    if root == "trigger" and len(parts) >= 2:
        kind, field = parts[0], ".".join(parts[1:])
        if kind == "call" and field in CALL_FIELDS:
            return f"call.{CALL_FIELDS[field]}"
        if kind == "message" and field in MESSAGE_FIELDS:
            return f"call.{MESSAGE_FIELDS[field]}"
        if kind == "parameters":
            return f"vars.{state_name(field)}"
        return None
    if root == "contact" and dotted == "channel.address":
        return "call.to" if ctx.outbound else "call.from"
    if root == "flow" and dotted == "channel.address":
        return "call.from" if ctx.outbound else "call.to"
    if root == "flow" and len(parts) >= 2 and parts[0] in ("variables", "data"):
        if parts[0] == "data":
            ctx.note(
                "(flow)",
                CHECK,
                f"`flow.data.{'.'.join(parts[1:])}` (a REST API parameter) is read as "
                f"`vars.{state_name(parts[1])}`: set it before the call reaches this flow",
            )
        return f"vars.{state_name(parts[1])}" + "".join(f".{p}" for p in parts[2:])
    if root == "widgets" and len(parts) >= 2:
        return _widget_field(parts[0], ".".join(parts[1:]), ctx)
    return None


def _widget_field(name: str, field: str, ctx: ImportContext) -> str | None:
    source = ctx.widgets.get(name)
    if source is None:
        return None
    call_name = WIDGET_FIELDS.get(source.type, {}).get(field)
    if call_name is None:
        return widget_field(source, field, ctx)
    var = state_name(f"{ctx.var(name)}_{field.split('.')[-1]}").lower()
    ctx.capture(name, var, f"{{{{ call.{call_name} }}}}")
    return f"vars.{var}"
