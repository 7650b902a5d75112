"""Voice widgets: say-play, gather-input-on-call, connect-call-to, record-voicemail, record-call."""

from __future__ import annotations

import re
from typing import Any

from flowengine.importers.studio import split
from flowengine.importers.studio.context import CHECK, MISSING, SAME, Goto, ImportContext
from flowengine.importers.studio.definition import Widget
from flowengine.importers.studio.prompts import prompt
from flowengine.importers.studio.support import supports
from flowengine.importers.studio.unsupported import placeholder

# Studio runs a widget at most 10 times in a row, then ends the execution: a gather that
# times out into itself asks 9 times and the 10th run ends the call.
STUDIO_REPEATS = 9
FINISH = re.compile(r"^[0-9]$")


def say_play(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    spec = prompt(widget, ctx)
    target = widget.goes("audioComplete")
    if target == widget.name:
        ctx.note(
            widget,
            CHECK,
            "it plays itself again: Studio stops that after 10 runs in a row, so it is "
            f"repeated {STUDIO_REPEATS} times here and then the call ends",
        )
        spec = _looped(spec)
        return {**spec, "next": Goto(None, widget.name)}
    ctx.note(widget, SAME, "says or plays the same thing")
    return {**spec, "next": ctx.goto(widget, "audioComplete")}


def _looped(spec: dict[str, Any]) -> dict[str, Any]:
    key = "say" if "say" in spec else "play"
    value = spec.get(key)
    if isinstance(value, str):
        value = {"text" if key == "say" else "url": value}
    if isinstance(value, dict) and "digits" not in value:
        value = {**value, "loop": STUDIO_REPEATS}
    return {key: value} if value is not None else spec


def gather(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    asks: dict[str, Any] = dict(prompt(widget, ctx))
    keys, speech, timeout = (widget.goes(e) for e in ("keypress", "speech", "timeout"))
    asks["input"] = "dtmf speech" if speech else "dtmf"
    for studio, ours in (("number_of_digits", "digits"), ("timeout", "timeout")):
        number = _int(widget.prop(studio))
        if number is not None and number > 0:
            asks[ours] = number
    finish = widget.properties.get("finish_on_key")
    if isinstance(finish, str) and finish != "#" and (finish in ("", "*") or FINISH.match(finish)):
        asks["finish_on_key"] = finish
    hints = widget.prop("hints")
    if isinstance(hints, str):
        hints = [h.strip() for h in hints.split(",") if h.strip()]
    if hints:
        asks["hints"] = list(hints)
    speech_timeout = widget.prop("speech_timeout")
    if speech_timeout is not None and speech:
        number = _int(speech_timeout)
        asks["speech_timeout"] = number if number and number > 0 else "auto"
    if widget.prop("speech_model") and speech:
        asks["speech_model"] = str(widget.prop("speech_model"))
    language = widget.prop("gather_language")
    if isinstance(language, str) and re.fullmatch(r"[a-z]{2,3}-[A-Za-z]{2,4}", language) and speech:
        asks["language"] = language
    if str(widget.prop("profanity_filter", "true")).lower() == "false" and speech:
        asks["profanity_filter"] = False
    spec: dict[str, Any] = {"gather": asks}
    folded = split.fold_keys(widget, keys, speech, ctx)
    if folded is not None:
        spec["on"] = folded
        if asks["input"] == "dtmf":
            del asks["input"]  # flowengine listens for keys when the options are keys
    elif keys and speech and keys != speech:
        spec["next"] = ctx.synthetic(
            f"{ctx.names[widget.name]}_answer",
            {
                "switch": [
                    {
                        "when": {"var": "call.digits", "empty": False},
                        "next": Goto(keys, widget.name),
                    },
                    {"next": Goto(speech, widget.name)},
                ]
            },
            f"Added by the import: keys go one way, speech another ('{widget.name}').",
        )
    else:
        spec["next"] = Goto(keys or speech, widget.name)
    if timeout == widget.name:
        ctx.note(
            widget,
            CHECK,
            "when the caller says nothing it asks again; Studio ends the call when a widget "
            f"runs 10 times in a row, so it asks {STUDIO_REPEATS} times here, then the call ends",
        )
        spec["retry"] = {"max": STUDIO_REPEATS, "then": Goto(None, widget.name)}
    else:
        spec.setdefault("on", {})["no-input"] = Goto(timeout, widget.name)
    ctx.note(widget, SAME, "asks the same question and listens for the same answers")
    return spec


def connect_call_to(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    noun = str(widget.prop("noun", "number"))
    to = widget.prop("to", "")
    dial: dict[str, Any]
    if noun == "number":
        dial = {"number": ctx.number(widget, "number", to)}
    elif noun == "number-multi":
        numbers = [n.strip() for n in str(to).split(",") if n.strip()]
        dial = {
            "numbers": [ctx.number(widget, f"number_{i + 1}", n) for i, n in enumerate(numbers)]
        }
    elif noun == "client":
        dial = {"client": ctx.rewrite(to, widget)}
    elif noun == "sip":
        dial = {"sip": ctx.rewrite(widget.prop("sip_endpoint", to), widget)}
        if widget.prop("sip_username") or widget.prop("sip_password"):
            ctx.note(
                widget,
                MISSING,
                "its SIP user name and password are not carried over (flowengine's dial "
                "has no SIP credentials; keep secrets out of flow files)",
            )
    elif noun == "conference":
        dial = {"conference": ctx.rewrite(to, widget)}
    else:
        return placeholder(widget, ctx, f"connecting to a {noun} is not supported")
    caller_id = widget.prop("caller_id")
    if caller_id:
        dial["caller_id"] = ctx.number(widget, "caller_id", caller_id)
    timeout = _int(widget.prop("timeout"))
    if timeout:
        dial["timeout"] = min(max(timeout, 5), 600)
    if widget.prop("record") is True:
        dial["record"] = "record-from-answer"
    spec: dict[str, Any] = {"dial": dial, "next": ctx.goto(widget, "callCompleted")}
    if widget.goes("hangup"):
        ctx.note(
            widget,
            CHECK,
            f"its 'caller hung up' branch (to '{widget.goes('hangup')}') is not followed: "
            "when the caller hangs up there is nobody left to hear it",
        )
    ctx.note(widget, SAME, f"connects the call ({noun}); every result goes on as 'call completed'")
    return spec


def record_voicemail(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for studio, ours in (("max_length", "max_length"), ("timeout", "timeout")):
        number = _int(widget.prop(studio))
        if number is not None and (number > 0 or ours == "timeout"):
            record[ours] = number
    if str(widget.prop("play_beep", "true")).lower() == "false":
        record["beep"] = False
    if widget.prop("trim") == "do-not-trim":
        record["trim"] = False
    if widget.prop("transcribe") is True:
        record["transcribe"] = True
        if widget.prop("transcription_callback_url"):
            record["transcribe_callback"] = ctx.rewrite(
                widget.prop("transcription_callback_url"), widget
            )
    finish = widget.prop("finish_on_key")
    if isinstance(finish, str) and re.fullmatch(r"[0-9#*]*", finish):
        record["finish_on_key"] = finish
    if widget.prop("recording_status_callback_url"):
        ctx.note(widget, MISSING, "its recording status callback URL is not carried over")
    spec: dict[str, Any] = {
        "record": record or True,
        "on": {
            "recorded": ctx.goto(widget, "recordingComplete"),
            "no-recording": ctx.goto(widget, "noAudio"),
        },
    }
    if widget.goes("hangup"):
        ctx.note(
            widget,
            CHECK,
            f"its 'caller hung up' branch (to '{widget.goes('hangup')}') is not followed: a "
            "message left before hanging up counts as recorded",
        )
    ctx.note(widget, SAME, "records the message")
    return spec


def record_call(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    on = widget.prop("record_call", True) is not False
    if supports("record_call") and on:
        options: dict[str, Any] = {}
        # Studio's options, by the values Twilio's <Recording> takes.
        for studio, ours, values in (
            ("recording_channels", "channels", ("mono", "dual")),
            ("recording_track", "track", ("inbound", "outbound", "both")),
            ("trim", "trim", ("trim-silence", "do-not-trim")),
        ):
            value = widget.prop(studio)
            if value in values:
                options[ours] = value
        if widget.prop("recording_status_callback"):
            ctx.note(
                widget,
                CHECK,
                "Twilio reports the recording to flowengine (call.call_recording_url), not to "
                f"{widget.prop('recording_status_callback')}",
            )
        ctx.note(widget, SAME, "records the call from here on")
        return {"record_call": options or True, "next": ctx.goto(widget, "success")}
    what = "start" if on else "stop"
    ctx.note(
        widget,
        MISSING,
        f"flowengine cannot {what} recording the whole call here: the call goes on "
        + ("without it" if on else "and the recording goes on to the end"),
    )
    return {
        "x-studio-unsupported": f"{widget.name} (record-call)",
        "next": ctx.goto(widget, "success"),
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
