"""`flowengine send`: be Twilio for a running server: post a call's webhooks, signed.

The entry webhook first, then one webhook per caller input, each to the URL the last TwiML
named (a Gather's, Dial's, Record's or Enqueue's action), following <Redirect>s as Twilio
does. Each request carries the X-Twilio-Signature Twilio would compute with the account's
auth token, so a server with signature checks on can be tried without --insecure-dev.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

from twilio.request_validator import RequestValidator

from flowengine.flow import urls
from flowengine.sim.caller_input import Action, InputError, parse
from flowengine.sim.transcript import Wait

WAITING = {"Gather": "gather", "Dial": "dial", "Record": "record", "Enqueue": "enqueue"}
MAX_REDIRECTS = 20  # a flow that redirects forever is the server's problem, not a hang here


class SendError(Exception):
    """The server refused a request or answered something that is not TwiML."""


@dataclass
class Exchange:
    """One request and the TwiML that answered it."""

    url: str
    fields: dict[str, str]
    status: int
    twiml: ET.Element


@dataclass
class Caller:
    server: str  # where requests go: http://127.0.0.1:8000
    public: str  # the URL Twilio would use (signed): https://ivr.example.com, or = server
    token: str  # the auth token; empty: unsigned (only --insecure-dev servers accept that)
    base: dict[str, str]
    log: list[Exchange] = field(default_factory=list)
    timeout: float = 10.0

    @classmethod
    def new(cls, server: str, public: str, token: str, caller: str, called: str) -> Caller:
        account = "AC" + secrets.token_hex(16)
        base = {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": account,
            "From": caller,
            "To": called,
            "Caller": caller,
            "Called": called,
            "Direction": "inbound",
            "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01",
        }
        return cls(server.rstrip("/"), (public or server).rstrip("/"), token, base)

    def post(self, path_or_url: str, extra: dict[str, str] | None = None) -> Exchange:
        signed_url = urljoin(self.public + "/", path_or_url)
        if not signed_url.startswith(self.public):
            raise SendError(f"the TwiML sends the call to an outside URL: {signed_url}")
        target = self.server + signed_url[len(self.public) :]
        fields = {**self.base, **(extra or {})}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.token:
            signature = RequestValidator(self.token).compute_signature(signed_url, fields)
            headers["X-Twilio-Signature"] = str(signature)
        request = urllib.request.Request(
            target, data=urlencode(fields).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            raise SendError(_refusal(exc.code, target, bool(self.token))) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"cannot reach {target}: {reason}; is the server running?") from None
        try:
            twiml = ET.fromstring(body)
        except ET.ParseError:
            raise SendError(f"{target} answered something that is not TwiML") from None
        exchange = Exchange(target, fields, status, twiml)
        self.log.append(exchange)
        return exchange


def _refusal(code: int, url: str, signed: bool) -> str:
    if code == 403:
        why = (
            "the signature was refused: give the server's TWILIO_AUTH_TOKEN, and --public-url "
            "(or FLOWENGINE_PUBLIC_URL) as the server has it"
            if signed
            else "the request is unsigned: set TWILIO_AUTH_TOKEN to the server's token"
        )
        return f"{url} answered 403: {why}"
    return f"{url} answered HTTP {code}"


def waiting(twiml: ET.Element) -> tuple[Wait, str] | None:
    """What the call waits on after this TwiML, and the URL Twilio posts the answer to."""
    verbs = [element for element in twiml if element.tag in WAITING]
    if not verbs:
        return None
    verb = verbs[-1]
    action = verb.attrib.get("action", "")
    target = urls.read(action)
    listens = tuple(
        {"dtmf": "keys", "speech": "speech"}[kind]
        for kind in verb.attrib.get("input", "dtmf").split()
        if kind in ("dtmf", "speech")
    )
    digits = verb.attrib.get("numDigits", "")
    wait = Wait(
        WAITING[verb.tag],
        target.flow,
        target.state or "",
        listens_for=listens,
        num_digits=int(digits) if digits.isdigit() else 0,
        finish_on_key=verb.attrib.get("finishOnKey", ""),
    )
    return wait, action


def answer(wait: Wait, action: Action) -> dict[str, str]:
    """The form fields Twilio posts for one caller input (as the simulator sends them)."""
    if action.kind == "keys":
        return {"Digits": action.value}
    if action.kind == "speech":
        return {"SpeechResult": action.value, "Confidence": "0.9"}
    if action.kind == "silence":
        return {"Digits": ""}
    if wait.event == "dial":
        return {"DialCallStatus": action.value, "DialCallDuration": "0"}
    if wait.event == "record":
        if action.value == "recorded":
            url = "https://api.twilio.com/recordings/RE" + "0" * 32
            return {"RecordingUrl": url, "RecordingDuration": "12"}
        return {"RecordingDuration": "0"}
    return {"QueueResult": action.value, "QueueTime": "30"}


def call(
    caller: Caller, flow: str, inputs: Iterable[str], show: Callable[[Exchange], None]
) -> bool:
    """Play the call; True when it ended (hung up, rejected, or nothing left to wait on)."""
    exchange = caller.post(caller.public + urls.entry("", flow))
    show(exchange)
    pending = list(inputs)
    for _ in range(MAX_REDIRECTS + len(pending)):
        exchange = _follow(caller, exchange, show)
        waits = waiting(exchange.twiml)
        if waits is None:
            if pending:
                raise InputError(f"the call ended before the input '{pending[0]}'")
            return True
        if not pending:
            return False
        wait, action_url = waits
        action = parse(pending.pop(0), wait)
        if action.kind == "hangup":
            return True
        exchange = caller.post(action_url, answer(wait, action))
        show(exchange)
    raise SendError(f"more than {MAX_REDIRECTS} redirects in a row")


def _follow(caller: Caller, exchange: Exchange, show: Callable[[Exchange], None]) -> Exchange:
    for _ in range(MAX_REDIRECTS):
        redirect = exchange.twiml.find("Redirect")
        if redirect is None or not redirect.text or waiting(exchange.twiml) is not None:
            return exchange
        exchange = caller.post(redirect.text.strip())
        show(exchange)
    raise SendError(f"more than {MAX_REDIRECTS} redirects in a row")


def describe(twiml: ET.Element) -> list[str]:
    """The TwiML as a person reads it: one line per verb."""
    lines = []
    for element in twiml.iter():
        if element.tag in ("Response",):
            continue
        text = (element.text or "").strip()
        attrs = " ".join(f"{k}={v}" for k, v in element.attrib.items() if k != "action")
        line = f"{element.tag}" + (f": {text}" if text else "") + (f"  ({attrs})" if attrs else "")
        lines.append(line)
    return lines
