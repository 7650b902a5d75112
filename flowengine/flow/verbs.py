"""The one action of a voice state (gather, dial, record, ...) as TwiML fragments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowengine.flow import prompts, twiml, urls
from flowengine.flow.context import CompileContext
from flowengine.flow.loader import KeyPath
from flowengine.flow.templates import Template
from flowengine.flow.twiml import Fragment, Part


def gather(
    compiler: CompileContext,
    state: str,
    spec: dict[str, Any],
    path: KeyPath,
    input_: str,
    hints: str,
) -> dict[str, Fragment]:
    nested = prompts.prompts(compiler, spec, path)
    speech = "speech" in input_
    result = {}
    for language in compiler.languages:
        _, code = compiler.voice(language)
        attributes = {
            "action": compiler.callback(state, "gather"),
            "method": "POST",
            "actionOnEmptyResult": True,
            "input": input_,
            "numDigits": spec.get("digits"),
            "timeout": spec.get("timeout"),
            "finishOnKey": spec.get("finish_on_key"),
            "hints": ", ".join(spec["hints"]) if "hints" in spec else (hints or None),
            "speechTimeout": spec.get("speech_timeout", "auto") if speech else None,
            "speechModel": spec.get("speech_model"),
            "language": spec.get("language", code) if speech else None,
            "profanityFilter": spec.get("profanity_filter"),
        }
        if spec.get("finish_on_key") == "":
            # An empty finishOnKey is meaningful to Twilio (no finish key): keep it.
            attributes["finishOnKey"] = None
            head = f'<Gather{twiml.attrs(attributes)} finishOnKey="">'
            result[language] = twiml.merge((head, *nested[language], "</Gather>"))
        else:
            result[language] = twiml.merge(twiml.element("Gather", attributes, nested[language]))
    return result


_NOUNS = (("number", "Number"), ("client", "Client"), ("sip", "Sip"))


def dial(compiler: CompileContext, state: str, spec: Any, path: KeyPath) -> Fragment:
    if isinstance(spec, str):
        spec = {"number": spec}
        number_paths: dict[str, KeyPath] = {"number": path}
    else:
        number_paths = {"number": (*path, "number")}
    body: list[Part] = []
    # Call screening: the whisper flow runs on the called party's leg before the bridge.
    whisper = urls.entry(compiler.url_prefix, spec["whisper"]) if "whisper" in spec else None
    for key, noun in _NOUNS:
        if key in spec:
            attributes = {"sendDigits": spec.get("send_digits")} if key == "number" else {}
            attributes["url"] = whisper
            text = prompts.text_parts(compiler, spec[key], number_paths.get(key, (*path, key)))
            body.extend(twiml.element(noun, attributes, text))
    for index, number in enumerate(spec.get("numbers", [])):
        text = prompts.text_parts(compiler, number, (*path, "numbers", index))
        attributes = {"sendDigits": spec.get("send_digits"), "url": whisper}
        body.extend(twiml.element("Number", attributes, text))
    for key, noun in (("conference", "Conference"), ("queue", "Queue")):
        if key in spec:
            # Twilio fetches a Queue's url as the agent takes a caller: how the server
            # learns that callers waiting for a callback moved up (server/callbacks.py).
            attributes = {"url": urls.dequeued(compiler.url_prefix)} if key == "queue" else {}
            text = prompts.text_parts(compiler, spec[key], (*path, key))
            body.extend(twiml.element(noun, attributes, text))
    attributes = {
        "action": compiler.callback(state, "dial"),
        "method": "POST",
        "timeout": spec.get("timeout"),
        "timeLimit": spec.get("time_limit"),
        "record": spec.get("record"),
        "ringTone": spec.get("ring_tone"),
        "answerOnBridge": spec.get("answer_on_bridge"),
        "hangupOnStar": spec.get("hangup_on_star"),
    }
    caller_id = spec.get("caller_id")
    if caller_id is None:
        return twiml.merge(twiml.element("Dial", attributes, body))
    template = compiler.template(caller_id, (*path, "caller_id"))
    if template.constant is not None:
        attributes["callerId"] = template.constant
        return twiml.merge(twiml.element("Dial", attributes, body))
    # A templated caller id is rendered at run time into the opening tag.
    render = template.render
    head = f"<Dial{twiml.attrs(attributes)}"
    quoted: Part = lambda context: twiml.attr_value(render(context))  # noqa: E731
    return twiml.merge((head, ' callerId="', quoted, '">', *body, "</Dial>"))


def record(compiler: CompileContext, state: str, spec: Any, path: KeyPath) -> Fragment:
    options: dict[str, Any] = spec if isinstance(spec, dict) else {}
    trim = options.get("trim")
    attributes: dict[str, Any] = {
        "action": compiler.callback(state, "record"),
        "method": "POST",
        "maxLength": options.get("max_length"),
        "timeout": options.get("timeout"),
        "playBeep": options.get("beep"),
        "trim": None if trim is None else ("trim-silence" if trim else "do-not-trim"),
        "transcribe": options.get("transcribe"),
        # The call history keeps transcriptions: Twilio posts them to the server's own
        # route unless the flow sends them elsewhere.
        "transcribeCallback": url(
            compiler, options.get("transcribe_callback"), (*path, "transcribe_callback")
        )
        or (urls.transcription(compiler.url_prefix) if options.get("transcribe") else None),
        "finishOnKey": options.get("finish_on_key"),
    }
    if options.get("finish_on_key") == "":
        # Empty means "no key ends the recording"; attrs() would drop it, and Twilio's
        # default (any key) is the opposite.
        attributes["finishOnKey"] = None
        return twiml.merge((*opening("Record", attributes, ""), ' finishOnKey=""/>'))
    return opening("Record", attributes, "/>")


def enqueue(compiler: CompileContext, state: str, spec: Any, path: KeyPath) -> Fragment:
    options: dict[str, Any] = {"queue": spec} if isinstance(spec, str) else spec
    name_path = path if isinstance(spec, str) else (*path, "queue")
    wait_url = url(compiler, options.get("wait_url"), (*path, "wait_url"))
    attributes = {
        "action": compiler.callback(state, "enqueue"),
        "method": "POST",
        "waitUrl": wait_url
        or (urls.wait(compiler.url_prefix, options["wait"]) if "wait" in options else None),
        "workflowSid": options.get("workflow_sid"),
    }
    body = prompts.text_parts(compiler, options["queue"], name_path)
    return twiml.merge((*opening("Enqueue", attributes), *body, "</Enqueue>"))


def redirect_url(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> Fragment:
    body = prompts.text_parts(compiler, spec["url"], (*path, "url"))
    return twiml.merge(twiml.element("Redirect", {"method": spec.get("method", "POST")}, body))


def url(compiler: CompileContext, value: Any, path: KeyPath) -> str | Template | None:
    """A URL-valued attribute: a template like every other text (`{{ vars.agent }}` is
    rendered for each call), compiled and checked now; constant text stays text."""
    if value is None:
        return None
    template = compiler.template(str(value), path)
    return template if template.constant is None else template.constant


def opening(name: str, attributes: Mapping[str, Any], end: str = ">") -> Fragment:
    """The start tag, attributes in name order; a Template's value is rendered (and
    escaped) into it at run time."""
    parts: list[Part] = [f"<{name}"]
    for attribute, value in sorted(attributes.items()):
        if isinstance(value, Template):
            parts += [f' {attribute}="', _quoted(value), '"']
        else:
            parts.append(twiml.attrs({attribute: value}))
    parts.append(end)
    return twiml.merge(parts)


def _quoted(template: Template) -> Part:
    render = template.render
    return lambda context: twiml.attr_value(render(context))


def simple(action: str, value: Any) -> Fragment:
    if action == "reject":
        return twiml.element("Reject", {"reason": "rejected" if value is True else value})
    return twiml.element({"hangup": "Hangup", "leave": "Leave"}[action], {})
