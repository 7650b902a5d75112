"""Recording the whole call, media streams and voice bots: <Start> and <Connect> in TwiML.

`record_call` and `stream` on a state start something that runs beside the flow
(`<Start><Recording>`, `<Start><Stream>`): the menu goes on. `connect` is an action: the
call goes to a WebSocket (`<Connect><Stream>`) or to a voice bot
(`<Connect><ConversationRelay>`), and Twilio posts to the action URL when that ends.
"""

from __future__ import annotations

from typing import Any

from flowengine.flow import twiml, urls
from flowengine.flow.context import CompileContext
from flowengine.flow.loader import KeyPath
from flowengine.flow.twiml import Fragment, Part

# ConversationRelay attributes, by the snake_case name a flow writes.
_RELAY = {
    "url": "url",
    "welcome": "welcomeGreeting",
    "voice": "voice",
    "language": "language",
    "tts_provider": "ttsProvider",
    "transcription_provider": "transcriptionProvider",
    "interruptible": "interruptible",
    "dtmf_detection": "dtmfDetection",
}


def recording(compiler: CompileContext, spec: Any) -> Fragment:
    options: dict[str, Any] = spec if isinstance(spec, dict) else {}
    attributes = {
        "channels": options.get("channels"),
        "track": options.get("track"),
        "trim": options.get("trim"),
        "recordingStatusCallback": urls.recording(compiler.url_prefix, compiler.name),
        "recordingStatusCallbackMethod": "POST",
        "recordingStatusCallbackEvent": "in-progress completed absent",
    }
    return twiml.element("Start", {}, twiml.element("Recording", attributes))


def _parameters(compiler: CompileContext, values: dict[str, Any], path: KeyPath) -> list[Part]:
    parts: list[Part] = []
    for name, value in values.items():
        template = compiler.template(str(value), (*path, name))
        if template.constant is not None:
            parts.extend(twiml.element("Parameter", {"name": name, "value": template.constant}))
            continue
        render = template.render
        head = f"<Parameter{twiml.attrs({'name': name})}"
        quoted: Part = lambda context, r=render: twiml.attr_value(r(context))  # noqa: E731
        parts.extend((head, ' value="', quoted, '"/>'))
    return parts


def _stream(compiler: CompileContext, spec: Any, path: KeyPath) -> Fragment:
    options: dict[str, Any] = {"url": spec} if isinstance(spec, str) else spec
    url_path = path if isinstance(spec, str) else (*path, "url")
    url = compiler.template(str(options["url"]), url_path)
    attributes = {"name": options.get("name"), "track": options.get("track")}
    body = _parameters(compiler, options.get("parameters", {}), (*path, "parameters"))
    if url.constant is not None:
        attributes["url"] = url.constant
        return twiml.merge(twiml.element("Stream", attributes, body))
    render = url.render
    quoted: Part = lambda context: twiml.attr_value(render(context))  # noqa: E731
    head = f"<Stream{twiml.attrs(attributes)}"
    return twiml.merge(
        (head, ' url="', quoted, '"', *((">", *body, "</Stream>") if body else ("/>",)))
    )


def start(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> Fragment:
    """What a state starts beside the flow, before its prompts."""
    parts: list[Part] = []
    if spec.get("record_call"):
        parts.extend(recording(compiler, spec["record_call"]))
    if "stream" in spec:
        stream = _stream(compiler, spec["stream"], (*path, "stream"))
        parts.extend(twiml.element("Start", {}, stream))
    return twiml.merge(parts)


def connect(compiler: CompileContext, state: str, spec: dict[str, Any], path: KeyPath) -> Fragment:
    attributes = {"action": compiler.callback(state, "connect"), "method": "POST"}
    if "stream" in spec:
        stream: dict[str, Any] = (
            {"url": spec["stream"]} if isinstance(spec["stream"], str) else dict(spec["stream"])
        )
        stream.setdefault("parameters", spec.get("parameters", {}))
        body = _stream(compiler, stream, (*path, "stream"))
        return twiml.merge(twiml.element("Connect", attributes, body))
    relay = spec["conversation_relay"]
    options: dict[str, Any] = {"url": relay} if isinstance(relay, str) else relay
    relay_attributes = {_RELAY[k]: v for k, v in options.items() if k in _RELAY}
    relay_body = _parameters(compiler, spec.get("parameters", {}), (*path, "parameters"))
    relay_element = twiml.element("ConversationRelay", relay_attributes, relay_body)
    return twiml.merge(twiml.element("Connect", attributes, relay_element))
