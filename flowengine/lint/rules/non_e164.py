"""FE207 non-e164: a phone number that is not written in E.164 form (+ and country code)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import KeyPath
from flowengine.flow.settings import ENV_REFERENCE
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states
from flowengine.twilio.phone import is_e164, not_e164

_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SETTING = re.compile(r"^\{\{\s*settings\.([A-Za-z0-9_-]+)\s*\}\}$")
_NUMBER_VARS = frozenset({"call.from", "call.to", "call.forwarded_from"})


def looks_like_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if not _PHONE_CHARS.match(text) or _DATE.match(text):
        return False
    return digits >= 7 if text.startswith("+") else 10 <= digits <= 15


def _numbers(spec: dict[str, Any], base: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Texts that Twilio reads as phone numbers: dial numbers, caller ids, sms to/from."""
    dial = spec.get("dial")
    if isinstance(dial, str):
        yield (*base, "dial"), dial
    elif isinstance(dial, dict):
        for key in ("number", "caller_id"):
            if isinstance(dial.get(key), str):
                yield (*base, "dial", key), dial[key]
        for index, number in enumerate(dial.get("numbers") or []):
            yield (*base, "dial", "numbers", index), number
    sms = spec.get("sms")
    if isinstance(sms, dict):
        for key in ("to", "from"):
            if isinstance(sms.get(key), str):
                yield (*base, "sms", key), sms[key]


def _conditions(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Constants compared with the caller's or the called number (Twilio sends E.164)."""
    if isinstance(node, dict):
        if node.get("var") in _NUMBER_VARS:
            if isinstance(node.get("equals"), str):
                yield (*path, "equals"), node["equals"]
            for index, value in enumerate(node.get("one_of") or []):
                yield (*path, "one_of", index), str(value)
        for key, value in node.items():
            yield from _conditions(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _conditions(value, (*path, index))


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    as_number: set[str] = set()
    found: list[tuple[KeyPath, str, bool]] = []  # (where, text, must be a number)
    for name, spec in states(ctx.data):
        for path, text in _numbers(spec, ("states", name)):
            match = _SETTING.match(text)
            if match:
                as_number.add(match.group(1))
            elif "{" not in text:
                found.append((path, text, True))
        for path, text in _conditions(spec.get("switch"), ("states", name, "switch")):
            found.append((path, text, False))
    for name, value in (ctx.data.get("settings") or {}).items():
        text = str(value)
        if any(match.group(2) is None for match in ENV_REFERENCE.finditer(text)):
            continue  # the value comes from the environment; nothing to check here
        text = ENV_REFERENCE.sub(lambda match: match.group(2) or "", text)
        found.append((("settings", name), text, name in as_number))
    for path, text, required in found:
        if not is_e164(text) and (required or looks_like_phone(text)):
            message, hint = not_e164(text)
            # Twilio refuses a number it dials or texts; a compared number only never matches.
            yield ctx.problem(
                RULE,
                path,
                message,
                offset=ctx.offset(path, text),
                hint=hint,
                severity=Severity.ERROR if required else Severity.WARNING,
            )


RULE = Rule(
    code="FE207",
    name="non-e164",
    severity=Severity.ERROR,
    summary="A phone number that is not written in E.164 form.",
    details=(
        "Dial numbers, caller ids, text-message to/from numbers, settings that hold phone "
        "numbers (or are dialled), and numbers compared with call.from or call.to must be "
        "+, the country code and the number, digits only: Twilio sends and expects E.164, "
        "so '(555) 123-0001' never equals the caller's number. A number Twilio dials or "
        "texts is an error (Twilio would refuse it, so the server does not serve the flow); "
        "a number only compared with call.from or call.to, or a setting that looks like one "
        "but is not dialled, is a warning."
    ),
    check=check,
    passing="""\
start: sales
states:
  sales:
    dial: "+15551230001"
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: sales
states:
  sales:
    dial: "(555) 123-0001"
    next: goodbye
  goodbye:
    hangup: true
""",
)
