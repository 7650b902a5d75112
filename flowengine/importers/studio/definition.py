"""Reading a Studio flow definition: the REST API v2 `definition`, or the older format.

The v2 format names widgets by `name` and types them in kebab-case (`say-play`); the older
one (2018 exports) types them in PascalCase (`SayPlay`, `Gather`, `Branch`), gives each
widget an FF sid and points transitions at sids. Both are read into the same Widgets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Older PascalCase types -> the v2 types.
LEGACY_TYPES: dict[str, str] = {
    "InitialState": "trigger",
    "Trigger": "trigger",
    "SayPlay": "say-play",
    "Gather": "gather-input-on-call",
    "Branch": "split-based-on",
    "SplitBasedOn": "split-based-on",
    "SetVariables": "set-variables",
    "ConnectCaller": "connect-call-to",
    "ConnectCallTo": "connect-call-to",
    "RecordVoicemail": "record-voicemail",
    "Record": "record-voicemail",
    "RecordCall": "record-call",
    "EnqueueCall": "enqueue-call",
    "Enqueue": "enqueue-call",
    "TwimlRedirect": "add-twiml-redirect",
    "AddTwimlRedirect": "add-twiml-redirect",
    "SendMessage": "send-message",
    "SendAndWaitForReply": "send-and-wait-for-reply",
    "Webhook": "make-http-request",
    "MakeHttpRequest": "make-http-request",
    "RunFunction": "run-function",
    "Function": "run-function",
    "RunSubflow": "run-subflow",
    "MakeOutgoingCall": "make-outgoing-call-v2",
    "SendToFlex": "send-to-flex",
    "CapturePayments": "capture-payments",
}


class StudioError(ValueError):
    """Input that is not a Studio flow we can read; the message names the place."""

    def __init__(self, where: str, message: str, hint: str = "") -> None:
        self.where, self.message, self.hint = where, message, hint
        text = f"{where}: {message}"
        super().__init__(f"{text} (hint: {hint})" if hint else text)


@dataclass(frozen=True)
class Transition:
    event: str
    next: str | None
    conditions: tuple[dict[str, Any], ...] = ()


@dataclass
class Widget:
    name: str
    type: str
    properties: dict[str, Any]
    transitions: list[Transition] = field(default_factory=list)
    index: int = 0

    def goes(self, event: str) -> str | None:
        """Where the first transition for `event` leads (None: the execution ends)."""
        return next((t.next for t in self.transitions if t.event == event), None)

    def prop(self, key: str, default: Any = None) -> Any:
        value = self.properties.get(key)
        return default if value is None or value == "" else value


@dataclass
class StudioFlow:
    description: str
    widgets: dict[str, Widget]
    initial: str
    legacy: bool = False


def parse_text(text: str, source: str) -> StudioFlow:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StudioError(
            f"{source}:{exc.lineno}:{exc.colno}",
            f"this is not JSON ({exc.msg})",
            "export the flow from the Studio console (Flow → Export to JSON) or with "
            "`twilio api:studio:v2:flows:fetch --sid FW... -o json` and pass that file",
        ) from None
    return parse(data, source)


def parse(data: Any, source: str) -> StudioFlow:
    if isinstance(data, list) and len(data) > 1:
        raise StudioError(
            source,
            f"this file holds {len(data)} flows",
            "fetch one flow (--sid FW...) and import it; import each flow into its own file",
        )
    if isinstance(data, list) and data:
        data = data[0]  # the Twilio CLI's `-o json` prints a list, even of one resource
    if isinstance(data, dict) and isinstance(data.get("definition"), dict):
        data = data["definition"]  # the whole Flow resource, as the REST API returns it
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise StudioError(
            source,
            "this is not a Twilio Studio flow: it has no list of 'states'",
            "pass the flow's definition (the JSON Studio exports), not another file",
        )
    raw_states: list[Any] = data["states"]
    sids: dict[str, str] = {}
    for index, raw in enumerate(raw_states):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise StudioError(f"{source}: states[{index}]", "a widget without a name")
        if not isinstance(raw.get("type"), str):
            raise StudioError(f"{source}: widget '{raw['name']}'", "a widget without a type")
        if isinstance(raw.get("sid"), str):
            sids[raw["sid"]] = raw["name"]
    legacy = bool(sids) or any(str(s.get("type", ""))[:1].isupper() for s in raw_states)
    widgets: dict[str, Widget] = {}
    for index, raw in enumerate(raw_states):
        name = raw["name"]
        if name in widgets:
            raise StudioError(f"{source}: widget '{name}'", "two widgets have this name")
        kind = LEGACY_TYPES.get(raw["type"], raw["type"])
        props = raw.get("properties") or {}
        if not isinstance(props, dict):
            raise StudioError(f"{source}: widget '{name}'", "'properties' is not an object")
        widgets[name] = Widget(name, kind, props, _transitions(raw, sids, source), index)
    for widget in widgets.values():
        for transition in widget.transitions:
            if transition.next is not None and transition.next not in widgets:
                raise StudioError(
                    f"{source}: widget '{widget.name}', transition '{transition.event}'",
                    f"it goes to '{transition.next}', and there is no widget of that name",
                    "the export is incomplete or was edited by hand: fix the name, or "
                    "export the flow again",
                )
    initial = data.get("initial_state") or next(
        (w.name for w in widgets.values() if w.type == "trigger"), ""
    )
    if initial not in widgets:
        raise StudioError(
            source,
            f"its initial_state '{initial}' is not one of its widgets",
            "export the whole flow",
        )
    if widgets[initial].type != "trigger":
        raise StudioError(
            source, "the flow has no Trigger widget to start from", "export the whole flow"
        )
    return StudioFlow(str(data.get("description") or ""), widgets, initial, legacy)


def _transitions(raw: dict[str, Any], sids: dict[str, str], source: str) -> list[Transition]:
    found = []
    for index, item in enumerate(raw.get("transitions") or []):
        if not isinstance(item, dict) or not isinstance(item.get("event"), str):
            raise StudioError(
                f"{source}: widget '{raw['name']}', transitions[{index}]",
                "a transition without an 'event'",
            )
        target = item.get("next") or None
        if isinstance(target, str) and target in sids:
            target = sids[target]
        conditions = tuple(c for c in item.get("conditions") or [] if isinstance(c, dict))
        found.append(Transition(item["event"], target, conditions))
    return found
