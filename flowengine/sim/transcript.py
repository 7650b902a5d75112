"""TwiML -> what the caller hears and what the call waits for, as plain lines of text.

This is presentation only: it reads the TwiML that `runtime.step` produced, the way a
phone would, and never decides where a flow goes next. The simulator and the scenario
runner show these lines; the callback URL of the waiting verb tells them which webhook
Twilio would post next.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from flowengine.flow import urls

ENDING_VERBS = {"Hangup": "hangup", "Reject": "reject", "Leave": "leave"}


@dataclass(frozen=True)
class Wait:
    """The webhook Twilio posts next: `/voice/{flow}/{state}/{event}`."""

    event: str
    flow: str
    state: str
    listens_for: tuple[str, ...] = ()  # for a gather: "keys" and/or "speech"
    num_digits: int = 0  # for a gather: Twilio stops listening after this many keys
    finish_on_key: str = ""  # for a gather: the key that ends input, not part of Digits
    wait_url: str = ""  # for an enqueue: the hold music flow
    in_queue: bool = False  # a gather of the wait flow: queue outcomes answer too


@dataclass(frozen=True)
class Handover:
    """A <Redirect>: to `/voice/{flow}[?state=S]` (a flow's entry), to
    `/voice/{flow}/{state}/redirect` (a state of the same flow), or to an outside URL."""

    url: str
    flow: str | None = None
    state: str | None = None
    within: bool = False  # the same call goes on in `state` (a "redirect" callback)


@dataclass
class Reply:
    lines: list[str] = field(default_factory=list)
    wait: Wait | None = None
    redirect: Handover | None = None
    ending: str | None = None  # hangup, reject, leave
    dialled: list[str] = field(default_factory=list)


def read(twiml: str) -> Reply:
    reply = Reply()
    for element in ET.fromstring(twiml):
        _verb(element, reply)
    return reply


def _verb(element: ET.Element, reply: Reply) -> None:
    tag, text = element.tag, (element.text or "").strip()
    lines = reply.lines
    if tag == "Say":
        lines.append(_say(element))
    elif tag == "Play":
        loop = element.get("loop")
        lines.append(f"Play: {text}" + (f" (x{loop})" if loop and loop != "1" else ""))
    elif tag == "Pause":
        lines.append(f"Pause: {element.get('length', '1')} s")
    elif tag == "Message":
        _message(element, lines)
    elif tag == "Gather":
        for child in element:
            _verb(child, reply)
        reply.wait = _wait(element, "gather")
        heard = " or ".join(reply.wait.listens_for)
        digits = element.get("numDigits")
        suffix = f" ({digits} key{'s' if digits != '1' else ''})" if digits else ""
        lines.append(f"Gather: waiting for {heard}{suffix}")
    elif tag == "Dial":
        targets = [_dial_target(child) for child in element]
        reply.dialled.extend(targets)
        lines.append("Dial: " + ", ".join(targets or [text]))
        reply.wait = _wait(element, "dial")
    elif tag == "Record":
        finish = element.get("finishOnKey")
        limit = element.get("maxLength")
        notes = [f"max {limit} s" if limit else "", f"finish with {finish}" if finish else ""]
        details = ", ".join(n for n in notes if n)
        lines.append("Record: recording the caller" + (f" ({details})" if details else ""))
        reply.wait = _wait(element, "record")
    elif tag == "Enqueue":
        lines.append(f"Enqueue: waiting in queue {text}")
        reply.wait = _wait(element, "enqueue")
    elif tag == "Connect":
        for child in element:
            lines.append(f"Connect: {child.tag} {child.get('url', '')}".rstrip())
        reply.wait = _wait(element, "connect")
    elif tag == "Start":
        for child in element:
            lines.append(f"Start: {child.tag} {child.get('url', '')}".rstrip())
    elif tag == "Redirect":
        reply.redirect = _handover(text)
        lines.append(f"Redirect: {text}")
    elif tag in ENDING_VERBS:
        reason = element.get("reason")
        lines.append(tag + (f" ({reason})" if reason else ""))
        reply.ending = ENDING_VERBS[tag]
    else:
        lines.append(f"{tag}: {text}")


def _say(element: ET.Element) -> str:
    details = [v for v in (element.get("voice"), element.get("language")) if v]
    label = f"Say [{', '.join(details)}]" if details else "Say"
    return f"{label}: {' '.join(''.join(element.itertext()).split())}"


def _message(element: ET.Element, lines: list[str]) -> None:
    body = element.find("Body")
    text = (body.text if body is not None else element.text) or ""
    lines.append(f"Reply: {text.strip()}")
    lines.extend(f"Media: {(media.text or '').strip()}" for media in element.iter("Media"))


def _dial_target(child: ET.Element) -> str:
    text = (child.text or "").strip()
    prefix = {"Client": "client:", "Conference": "conference:", "Queue": "queue:"}
    return prefix.get(child.tag, "") + text


def _wait(element: ET.Element, event: str) -> Wait:
    target = urls.read(element.get("action", ""))
    flow, state = target.flow, target.state or ""
    if event != "gather":
        return Wait(event, flow, state, wait_url=element.get("waitUrl", ""))
    modes = element.get("input", "dtmf").split()
    listens = tuple(
        name for mode, name in (("dtmf", "keys"), ("speech", "speech")) if mode in modes
    )
    digits = element.get("numDigits", "")
    finish = element.get("finishOnKey", "#")  # Twilio's default
    return Wait(event, flow, state, listens, int(digits) if digits.isdigit() else 0, finish)


def _handover(url: str) -> Handover:
    target = urls.read(url)
    if target.outside:
        return Handover(url)
    if target.event == "redirect":
        return Handover(url, target.flow, target.state, within=True)
    return Handover(url, target.flow, None if target.event else target.state)
