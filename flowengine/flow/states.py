"""One state of a flow, compiled: its prompts, its one action, and where each outcome goes."""

from __future__ import annotations

import re
from typing import Any

from flowengine.flow import codes, media, prompts, split, twiml, verbs
from flowengine.flow.conditions import describe
from flowengine.flow.context import CompileContext
from flowengine.flow.fetch import compile_fetch
from flowengine.flow.graph import DEFAULT_TRIES, OUTCOMES, CallBack, Case, Retry, Sms, State, Target
from flowengine.flow.loader import KeyPath
from flowengine.flow.speech import words
from flowengine.flow.twiml import Fragment, Part

ACTIONS = (
    "gather",
    "dial",
    "enqueue",
    "record",
    "redirect",
    "switch",
    "hangup",
    "reject",
    "leave",
    "fetch",
    "split",
    "connect",
    "call_back",
)
VOICE_ONLY = frozenset(
    {"say", "play", "pause", "prompts", "sms", "retry", "record_call", "stream", *ACTIONS}
    - {"switch", "redirect", "fetch", "split"}
)
SMS_ONLY = frozenset({"reply", "media"})
NO_NEXT = frozenset({"switch", "hangup", "reject", "leave", "redirect", "split", "call_back"})
DIGITS = re.compile(r"^[0-9*#]+$")
_PATTERN_PARTS = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]", ".": "[0-9*#]+", "!": "[0-9*#]*"}


def alternatives(key: str) -> list[str]:
    """The answers one `on` key stands for: "1, sales, buy" is three."""
    return [part.strip() for part in key.split(",")]


def compile_state(
    compiler: CompileContext, name: str, spec: dict[str, Any], path: KeyPath
) -> State:
    sms = compiler.channel == "sms"
    for key in spec:
        if key in (VOICE_ONLY if sms else SMS_ONLY):
            kind = "text-message" if sms else "voice"
            compiler.error(
                (*path, key),
                *codes.WRONG_CHANNEL,
                f"state '{name}': '{key}' cannot be used in a {kind} flow",
                hint="use 'reply' to answer a text" if sms else "use 'say' to speak to the caller",
                key=True,
            )
    actions = [key for key in ACTIONS if key in spec]
    if len(actions) > 1:
        compiler.error(
            (*path, actions[1]),
            *codes.ONE_ACTION,
            f"state '{name}' has both '{actions[0]}' and '{actions[1]}'; a state does one thing",
            hint=f"move '{actions[1]}' into a state of its own and go there with 'next'",
            key=True,
        )
    action = actions[0] if actions else ""
    state = State(name, action, line=compiler.doc.position(path)[0])
    state.sets = compiler.sets(spec.get("set", {}), (*path, "set"))
    state.prompts = _reply(compiler, spec, path) if sms else prompts.prompts(compiler, spec, path)
    if not sms and ("record_call" in spec or "stream" in spec):
        started = media.start(compiler, spec, path)
        state.prompts = {k: twiml.merge((*started, *v)) for k, v in state.prompts.items()}
    if "sms" in spec:
        state.sms = _sms(compiler, spec["sms"], (*path, "sms"))
    _transitions(compiler, state, spec, path)
    _verb(compiler, state, spec, path)
    return state


def _transitions(
    compiler: CompileContext, state: State, spec: dict[str, Any], path: KeyPath
) -> None:
    action, name = state.action, state.name
    listens = action == "gather" or (compiler.channel == "sms" and action == "")
    if "on" in spec:
        if listens:
            _options(compiler, state, spec["on"], (*path, "on"))
        elif action in OUTCOMES:
            _outcomes(compiler, state, spec["on"], (*path, "on"))
        else:
            compiler.error(
                (*path, "on"),
                *codes.MISPLACED_KEY,
                f"state '{name}': 'on' needs a gather, dial, record, enqueue, fetch or "
                "connect in the same state",
                hint="use 'next' to go on to another state",
                key=True,
            )
    if "retry" in spec:
        if action == "gather":
            state.retry = _retry(compiler, spec["retry"], (*path, "retry"))
        else:
            compiler.error(
                (*path, "retry"),
                *codes.MISPLACED_KEY,
                f"state '{name}': 'retry' only works with a gather",
                key=True,
            )
    if "next" in spec:
        if action in NO_NEXT:
            compiler.error(
                (*path, "next"),
                *codes.MISPLACED_KEY,
                f"state '{name}': 'next' is never used after '{action}'",
                hint="remove it" if action != "switch" else "add a last branch without 'when'",
                key=True,
            )
        else:
            state.next = compiler.target(spec["next"], (*path, "next"), "next")
    if action == "switch":
        cases = []
        for index, case in enumerate(spec["switch"]):
            where: KeyPath = (*path, "switch", index)
            when = compiler.condition(case["when"], (*where, "when")) if "when" in case else None
            label = describe(case["when"]) if "when" in case else "otherwise"
            plain = {key: case[key] for key in ("next", "set") if key in case}
            target = compiler.target(plain, where, label)
            if target is not None:
                cases.append(Case(when, target))
        state.cases = tuple(cases)
    if action == "split":
        state.split = split.compile_split(compiler, name, spec["split"], (*path, "split"))


def _options(compiler: CompileContext, state: State, on: dict[str, Any], path: KeyPath) -> None:
    patterns, phrases = [], []
    for key, value in on.items():
        target = compiler.target(value, (*path, key), key)
        for alternative in alternatives(key):
            keys = DIGITS.match(alternative) and compiler.channel == "voice"
            if alternative in ("no-input", "no-match") or keys:
                _add(state.on, alternative, target)
            elif alternative.startswith("_") and compiler.channel == "voice":
                regex = _digit_pattern(alternative[1:])
                if regex is None:
                    compiler.error(
                        (*path, key),
                        *codes.BAD_PATTERN,
                        f"'{alternative}' is not a key pattern",
                        hint="after '_' use digits, * and #, X (any digit), Z (1-9), N (2-9), "
                        "[1-5] (a range) and . (one or more keys)",
                        key=True,
                    )
                elif target is not None:
                    patterns.append((regex, target))
            else:
                heard = words(alternative)
                if not heard:
                    compiler.error(
                        (*path, key),
                        *codes.UNMATCHABLE_PHRASE,
                        f"'{alternative}' has no words left once punctuation is removed",
                        key=True,
                    )
                elif target is not None:
                    phrases.append((heard, target))
    state.patterns, state.phrases = tuple(patterns), tuple(phrases)


def _add(table: dict[str, Target], key: str, target: Target | None) -> None:
    if target is not None:
        table.setdefault(key, target)


def _digit_pattern(pattern: str) -> re.Pattern[str] | None:
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "[":
            end = pattern.find("]", i)
            if end < 0 or not re.fullmatch(r"[0-9\-]+", pattern[i + 1 : end]):
                return None
            regex, i = regex + pattern[i : end + 1], end + 1
            continue
        if char in _PATTERN_PARTS:
            regex += _PATTERN_PARTS[char]
        elif char in "0123456789*#":
            regex += re.escape(char)
        else:
            return None
        i += 1
    try:
        return re.compile(regex) if regex else None
    except re.error:  # e.g. a range written backwards, [5-1]
        return None


def _outcomes(compiler: CompileContext, state: State, on: dict[str, Any], path: KeyPath) -> None:
    allowed = OUTCOMES[state.action]
    for key, value in on.items():
        target = compiler.target(value, (*path, key), key)
        for outcome in alternatives(key):
            if outcome not in allowed:
                compiler.error(
                    (*path, key),
                    *codes.UNKNOWN_OUTCOME,
                    f"'{outcome}' is not a result of {state.action}",
                    hint=f"the results of {state.action} are: {', '.join(allowed)}",
                    key=True,
                )
            else:
                _add(state.on, outcome, target)


def _retry(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> Retry:
    def escalation(key: str) -> tuple[dict[str, Fragment], ...]:
        value = spec.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        return tuple(
            prompts.say(
                compiler, item, (*path, key, index) if isinstance(value, list) else (*path, key)
            )
            for index, item in enumerate(items)
        )

    then = compiler.target(spec["then"], (*path, "then"), "retry") if "then" in spec else None
    return Retry(spec.get("max", 3), escalation("no-input"), escalation("no-match"), then)


def _sms(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> Sms:
    def field(key: str, default: str) -> Any:
        return compiler.template(spec.get(key, default), (*path, key))

    media = tuple(
        compiler.template(url, (*path, "media", i)) for i, url in enumerate(spec.get("media", []))
    )
    return Sms(
        field("to", "{{ call.from }}"), field("from", "{{ call.to }}"), field("body", ""), media
    )


def _reply(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> dict[str, Fragment]:
    if "reply" not in spec and "media" not in spec:
        return {}
    value = spec.get("reply", "")
    if isinstance(value, dict):
        compiler.check_languages(value, (*path, "reply"))
    media = [
        prompts.text_parts(compiler, u, (*path, "media", i))
        for i, u in enumerate(spec.get("media", []))
    ]
    result = {}
    for language in compiler.languages:
        text, sub = prompts.pick(compiler, value, language)
        body = prompts.text_parts(compiler, text, (*path, "reply", *sub))
        parts: list[Part] = []
        if media:
            parts.extend(twiml.element("Body", {}, body))
            for url in media:
                parts.extend(twiml.element("Media", {}, url))
        else:
            parts.extend(body)
        result[language] = twiml.merge(twiml.element("Message", {}, parts))
    return result


def _verb(compiler: CompileContext, state: State, spec: dict[str, Any], path: KeyPath) -> None:
    action, name = state.action, state.name
    one = dict.fromkeys(compiler.languages)
    if action == "gather":
        state.sensitive = bool(spec["gather"].get("sensitive", False))
        state.verb = verbs.gather(
            compiler, name, spec["gather"], (*path, "gather"), _input(state, spec), _hints(state)
        )
        return
    fragment: Fragment | None = None
    if action == "dial":
        fragment = verbs.dial(compiler, name, spec["dial"], (*path, "dial"))
    elif action == "record":
        fragment = verbs.record(compiler, name, spec["record"], (*path, "record"))
    elif action == "enqueue":
        fragment = verbs.enqueue(compiler, name, spec["enqueue"], (*path, "enqueue"))
    elif action in ("hangup", "reject", "leave"):
        fragment = verbs.simple(action, spec[action])
    elif action == "redirect":
        fragment = _redirect(compiler, state, spec["redirect"], (*path, "redirect"))
    elif action == "connect":
        fragment = media.connect(compiler, name, spec["connect"], (*path, "connect"))
    elif action == "fetch":
        state.fetch = compile_fetch(compiler, name, spec["fetch"], (*path, "fetch"))
    elif action == "call_back":
        wanted = spec["call_back"]
        state.call_back = CallBack(wanted["flow"], int(wanted.get("tries", DEFAULT_TRIES)))
        fragment = verbs.simple("hangup", True)
    if fragment is not None:
        state.verb = {language: fragment for language in one}


def _redirect(compiler: CompileContext, state: State, target: Any, path: KeyPath) -> Fragment:
    if isinstance(target, dict) and "url" in target:
        return verbs.redirect_url(compiler, target, path)
    if isinstance(target, dict) and "flow" not in target:
        # A state of this flow, reached through a fresh request from Twilio.
        state.next = compiler.target(target["state"], (*path, "state"), "redirect")
        url = compiler.callback(target["state"], "redirect")
    else:
        flow = target if isinstance(target, str) else target["flow"]
        entry = target.get("state") if isinstance(target, dict) else None
        state.handoff = (flow, entry)
        url = compiler.entry(flow, entry)
    return twiml.element("Redirect", {"method": "POST"}, (twiml.text(url),))


def _input(state: State, spec: dict[str, Any]) -> str:
    explicit: str | None = spec["gather"].get("input")
    if explicit:
        return explicit
    keys = any(k not in ("no-input", "no-match") for k in state.on) or bool(state.patterns)
    if state.phrases and keys:
        return "dtmf speech"
    return "speech" if state.phrases else "dtmf"


def _hints(state: State) -> str:
    return ", ".join(" ".join(heard) for heard, _ in state.phrases)
