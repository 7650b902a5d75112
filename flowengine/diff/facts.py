"""A compiled flow reduced to what a caller meets: per state its prompts, where each answer
or outcome goes, and every other setting; per flow its voices, languages, hours and settings.

Transitions come from the compiled Graph (so shorthand and written order do not matter);
prompts and settings from the document, normalised so that two spellings of the same thing
(`dial: "+1555"` and `dial: {number: "+1555"}`) are equal. Keys this module does not know
(a verb added to the language later, such as `fetch`) are compared as they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowengine.diff import heard
from flowengine.diff.heard import Language
from flowengine.flow.graph import Graph, State, Target
from flowengine.flow.states import alternatives
from flowengine.flow.templates import Template

# Keys read for prompts and transitions, or only for people: not compared as attributes.
_SPOKEN = frozenset({"say", "play", "pause", "prompts", "reply", "media"})
_TRANSITIONS = frozenset({"on", "next", "switch"})
_FOR_PEOPLE = frozenset({"description"})
# Shorthand -> the mapping it stands for.
_SHORT = {"dial": "number", "enqueue": "queue", "redirect": "flow"}
_FLOW_KEYS_SEPARATE = frozenset({"states", "description", "hours", "start"})


@dataclass
class StateFacts:
    name: str
    action: str
    line: int
    prompts: dict[str, dict[str, str]] = field(default_factory=dict)  # slot -> language -> text
    targets: dict[str, str] = field(default_factory=dict)  # answer/outcome/branch -> where
    order: tuple[str, ...] = ()  # switch branches in the order they are tried
    attributes: dict[str, Any] = field(default_factory=dict)  # "dial.timeout" -> 20

    def signature(self) -> set[str]:
        """Tokens for recognising the same state under another name."""
        tokens = {f"action:{self.action}"}
        for slot, texts in self.prompts.items():
            for text in texts.values():
                tokens |= {f"{slot}:{w}" for w in text.casefold().split()}
        tokens |= {f"answer:{key}" for key in self.targets}
        tokens |= {f"{key}={value!r}" for key, value in self.attributes.items()}
        return tokens


@dataclass
class FlowFacts:
    name: str
    path: str
    channel: str
    start: str
    languages: tuple[str, ...]
    attributes: dict[str, Any]  # flattened top-level keys: voice, languages.fr.voice, settings.x
    hours: dict[str, dict[str, Any]]  # as written, normalised
    states: dict[str, StateFacts]
    graph: Graph


def flow_facts(graph: Graph) -> FlowFacts:
    data = graph.data
    languages = tuple(graph.languages)
    attributes = flatten({k: v for k, v in data.items() if k not in _FLOW_KEYS_SEPARATE})
    for name, value in graph.settings.items():
        written = attributes.get(f"settings.{name}")
        if written != value:
            attributes[f"settings.{name} (resolved)"] = value
    hours = {name: _hours(spec) for name, spec in (data.get("hours") or {}).items()}
    states = {name: state_facts(graph, state, languages) for name, state in graph.states.items()}
    return FlowFacts(
        graph.name,
        graph.path,
        graph.channel,
        graph.start,
        languages,
        attributes,
        hours,
        states,
        graph,
    )


def state_facts(graph: Graph, state: State, languages: tuple[str, ...]) -> StateFacts:
    spec: dict[str, Any] = graph.data["states"][state.name]
    facts = StateFacts(state.name, state.action, state.line)
    default = languages[0]
    for name in languages:
        language = Language(name, default)
        text = (
            heard.reply(spec, language) if graph.channel == "sms" else heard.prompt(spec, language)
        )
        if text:
            slot = "reply" if graph.channel == "sms" else "prompt"
            facts.prompts.setdefault(slot, {})[name] = text
        for slot, retry_text in heard.retries(spec, language).items():
            facts.prompts.setdefault(slot, {})[name] = retry_text
    facts.targets, facts.order = _targets(state)
    facts.attributes = state_attributes(spec)
    return facts


def describe_target(target: Target) -> str:
    sets = ", ".join(f"{key}={_plain(value)}" for key, value in target.sets)
    return f"{target.state} (set {sets})" if sets else target.state


def _targets(state: State) -> tuple[dict[str, str], tuple[str, ...]]:
    table: dict[str, str] = {}
    for key, target in state.on.items():
        table[key] = describe_target(target)
    for _, target in state.patterns:
        for alternative in alternatives(target.label):
            if alternative.startswith("_"):
                table[alternative] = describe_target(target)
    for words, target in state.phrases:
        table.setdefault(" ".join(words), describe_target(target))
    order = []
    for case in state.cases:
        key = "otherwise" if case.when is None else f"when {case.target.label}"
        order.append(key)
        table[key] = describe_target(case.target)
    if state.next is not None:
        table[state.next.label if state.next.label == "redirect" else "next"] = describe_target(
            state.next
        )
    if state.retry is not None and state.retry.then is not None:
        table["after the last retry"] = describe_target(state.retry.then)
    if state.handoff is not None:
        flow, entry = state.handoff
        table["hand-over"] = f"flow {flow}" + (f", state {entry}" if entry else "")
    return table, tuple(order)


def state_attributes(spec: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in spec.items():
        if key in _SPOKEN or key in _TRANSITIONS or key in _FOR_PEOPLE:
            continue
        if key in _SHORT and isinstance(value, str):
            value = {_SHORT[key]: value}
        elif key == "record" and value is True:
            value = {}
        elif key == "reject" and value is True:
            value = "rejected"
        if key == "gather" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in _SPOKEN}
        if key == "redirect" and isinstance(value, dict) and "url" not in value:
            continue  # to a state or another flow: a transition, compared as one
        if key == "dial" and isinstance(value, dict) and "number" in value:
            # One number is a list of one: `number: X` and `numbers: [X]` ring the same.
            rest = {k: v for k, v in value.items() if k != "number"}
            value = {**rest, "numbers": [value["number"]]}
        if key == "retry" and isinstance(value, dict):
            value = {"max": value.get("max", 3)}  # prompts and `then` are compared elsewhere
        if key == "sms" and isinstance(value, dict):
            value = {"to": "{{ call.from }}", "from": "{{ call.to }}", **value}
        kept[key] = value
    kept.update(_say_options(spec))
    return flatten(kept)


def _say_options(spec: dict[str, Any]) -> dict[str, Any]:
    """The voice, language and loop a say sets for itself."""
    found: dict[str, Any] = {}
    sources = [spec] + ([spec["gather"]] if isinstance(spec.get("gather"), dict) else [])
    for where, source in enumerate(sources):
        items = heard.prompt_items(source)
        for index, (key, value) in enumerate(items):
            if key == "say" and isinstance(value, dict) and "text" in value:
                options = {k: v for k, v in value.items() if k != "text"}
                if options:
                    found[f"say {where}.{index}"] = options
    return found


def _hours(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "timezone": spec.get("timezone"),
        "weekly": spec.get("weekly", {}),
        "closed": sorted(str(d) for d in spec.get("closed", [])),
    }


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"dial": {"timeout": 20}} -> {"dial.timeout": 20}; lists stay whole."""
    if isinstance(value, dict) and value:
        result: dict[str, Any] = {}
        for key, item in value.items():
            result.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return result
    return {prefix: value} if prefix else {}


def _plain(value: Any) -> str:
    return value.source if isinstance(value, Template) else str(value)
