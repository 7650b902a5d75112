"""Scenario files (YAML) -> Scenario values, with every problem at its line and column.

The format is documented in docs/scenarios.md; schemas/scenario.schema.json describes the
same format for editors. Checks are written out here rather than delegated to the
schema so that each message can say, in plain words, what to write instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path as FilePath
from typing import Any

from flowengine.diagnostics import FlowError
from flowengine.flow.graph import OUTCOMES
from flowengine.flow.loader import Document, KeyPath, load_file
from flowengine.scenarios.expectations import Expect, Text, plain
from flowengine.sim.call_back import OUTCOMES as CALLBACK_OUTCOMES
from flowengine.sim.caller_input import KEYS, PREFIXES, parse_time
from flowengine.sim.fetches import AnswerError, parse_answer

# Step inputs: key -> the `--inputs` spelling it stands for (see caller_input).
INPUTS = {
    "press": "{}",
    "say": "speech:{}",
    "silence": "silence",
    "dial": "dial:{}",
    "record": "record:{}",
    "queue": "queue:{}",
    "connect": "connect:{}",
    "text": "text:{}",
    "wait": "wait:{}",
    "callback": "callback:{}",
    "hangup": "hangup",
}
EXPECTATIONS = (
    "hear",
    "not_hear",
    "state",
    "flow",
    "dialled",
    "sms",
    "vars",
    "visits",
    "ended",
    "call_back",
)
ENDINGS = ("hangup", "reject", "leave", "redirect", "completed", "caller-hangup", "call_back")
SETTINGS = ("flow", "flows", "caller", "to", "at", "params", "start")


class ScenarioFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Step:
    line: int
    input: str | None  # in the `--inputs` spelling; None for the call's first words
    shown: str  # the step as written, for reports
    expect: Expect
    params: dict[str, str] = field(default_factory=dict)  # form fields of this step's webhook


@dataclass
class Scenario:
    name: str
    file: str
    line: int
    flow: FilePath
    flows: FilePath
    caller: str
    to: str
    at: datetime | None
    params: dict[str, str]
    start: str | None
    steps: list[Step]
    expect: Expect
    fetch: dict[str, Any] = field(default_factory=dict)  # fetch state -> answer(s)
    split: dict[str, str] = field(default_factory=dict)  # split state -> forced branch


def load(path: str) -> list[Scenario]:
    try:
        doc = load_file(path)
    except FlowError as exc:
        problems = [f"{d.path}:{d.line}:{d.column}: {d.message}" for d in exc.diagnostics]
        raise ScenarioFileError(problems) from None
    except OSError as exc:
        raise ScenarioFileError([f"{path}: cannot read: {exc.strerror}"]) from None
    reader = _Reader(doc)
    scenarios = reader.file()
    if reader.problems:
        raise ScenarioFileError(reader.problems)
    return scenarios


class _Reader:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[str] = []

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> None:
        line, column = self.doc.position(path, key=key)
        self.problems.append(f"{self.doc.path}:{line}:{column}: {message}")

    def mapping(
        self, value: Any, path: KeyPath, what: str, keys: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a set of 'key: value' lines")
            return {}
        for key in value:
            if key not in keys:
                known = ", ".join(keys)
                self.problem((*path, key), f"unknown key '{key}' in {what}; use: {known}", key=True)
        return value

    def file(self) -> list[Scenario]:
        data = self.mapping(self.doc.data, (), "a scenario file", (*SETTINGS, "scenarios"))
        items = data.get("scenarios")
        if not isinstance(items, list) or not items:
            self.problem(("scenarios",), "write the scenarios as a list under 'scenarios:'")
            return []
        return [
            s for i, item in enumerate(items) if (s := self.scenario(data, item, i)) is not None
        ]

    def scenario(self, defaults: dict[str, Any], item: Any, index: int) -> Scenario | None:
        path: KeyPath = ("scenarios", index)
        keys = ("name", *SETTINGS, "fetch", "split", "steps", "expect")
        spec = self.mapping(item, path, "a scenario", keys)
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem(path, "give the scenario a name: 'name: what the caller does'")
            name = f"scenario {index + 1}"
        merged = {**defaults, **spec}
        where = {key: (path if key in spec else ()) for key in SETTINGS}
        here = FilePath(self.doc.path).parent
        flow = merged.get("flow")
        if not isinstance(flow, str):
            self.problem(path, "say which flow to call: 'flow: ../flows/main.yaml'")
            return None
        flow_path = FilePath(os.path.normpath(here / flow))
        if not flow_path.is_file():
            self.problem((*where["flow"], "flow"), f"no flow file at {flow_path}")
        flows = flow_path.parent
        if "flows" in merged:
            flows = FilePath(os.path.normpath(here / str(merged["flows"])))
        at = None
        if "at" in merged:
            try:
                at = parse_time(str(merged["at"]))
            except ValueError as exc:
                self.problem((*where["at"], "at"), str(exc))
        params = merged.get("params")
        steps_data = spec.get("steps", [])
        if not isinstance(steps_data, list):
            self.problem((*path, "steps"), "write the steps as a list, one '- ' per step")
            steps_data = []
        steps = [self.step(item, (*path, "steps", i), i) for i, item in enumerate(steps_data)]
        return Scenario(
            name=name,
            file=self.doc.path,
            line=self.doc.position(path)[0],
            flow=flow_path,
            flows=flows,
            caller=str(merged.get("caller", "+15550001111")),
            to=str(merged.get("to", "+15550009999")),
            at=at,
            params=self.params(params, (*where["params"], "params")),
            start=merged.get("start"),
            steps=steps,
            expect=self.expect(spec.get("expect", {}), (*path, "expect"), "'expect'"),
            fetch=self.fetch_answers(spec.get("fetch", {}), (*path, "fetch")),
            split=self.splits(spec.get("split", {}), (*path, "split")),
        )

    def fetch_answers(self, spec: Any, path: KeyPath) -> dict[str, Any]:
        if not isinstance(spec, dict):
            self.problem(path, "'fetch' gives answers by state: fetch: {lookup: {status: 200}}")
            return {}
        for state, given in spec.items():
            items = given if isinstance(given, list) else [given]
            for i, item in enumerate(items):
                where = (*path, state, i) if isinstance(given, list) else (*path, state)
                try:
                    parse_answer(item)
                except AnswerError as exc:
                    self.problem(where, str(exc))
        return spec

    def splits(self, spec: Any, path: KeyPath) -> dict[str, str]:
        if not isinstance(spec, dict):
            self.problem(path, "'split' names a branch by state: split: {greeting_test: new}")
            return {}
        return {str(k): str(v) for k, v in spec.items()}

    def step(self, item: Any, path: KeyPath, index: int) -> Step:
        spec = self.mapping(item, path, "a step", (*INPUTS, "params", *EXPECTATIONS))
        given = [key for key in spec if key in INPUTS]
        if len(given) > 1:
            self.problem(path, f"one caller action per step, not {' and '.join(given)}")
        text: str | None = None
        shown = "(the call starts)"
        if given:
            key, value = given[0], spec[given[0]]
            if key in ("silence", "hangup"):
                value = ""
            elif value is None or isinstance(value, dict | list):
                self.problem((*path, key), f"'{key}' needs a value, e.g. {key}: {_EXAMPLES[key]}")
                value = ""
            else:
                self.check_input(key, value, (*path, key))
            text = INPUTS[key].format(value)
            shown = f"{key} {value}".strip()
        elif index > 0:
            self.problem(path, f"a step needs what the caller does: {', '.join(INPUTS)}")
        expectations = {k: v for k, v in spec.items() if k in EXPECTATIONS}
        line = self.doc.position(path)[0]
        params = self.params(spec.get("params"), (*path, "params"))
        return Step(line, text, shown, self.expect(expectations, path, "a step"), params)

    def params(self, value: Any, path: KeyPath) -> dict[str, str]:
        """Form fields Twilio posts, as 'Field: value' lines (DialCallDuration: 300)."""
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
            self.problem(path, "'params' must be 'Field: value' lines, e.g. {CallStatus: busy}")
            return {}
        return {str(k): _field(v) for k, v in value.items()}

    def check_input(self, key: str, value: Any, path: KeyPath) -> None:
        event = PREFIXES.get(key)
        if event is not None and value not in OUTCOMES[event]:
            self.problem(path, f"'{key}' is one of: {', '.join(OUTCOMES[event])}")
        if key == "callback" and value not in CALLBACK_OUTCOMES:
            self.problem(path, f"'callback' is one of: {', '.join(CALLBACK_OUTCOMES)}")
        if key == "wait" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            self.problem(path, "'wait' takes the seconds the caller keeps waiting, e.g. wait: 120")
        if key == "press" and not KEYS.match(str(value)):
            self.problem(path, '\'press\' takes keys: 0-9, * and # (write "*" and "#" in quotes)')

    def expect(self, spec: Any, path: KeyPath, what: str) -> Expect:
        spec = self.mapping(spec, path, what, EXPECTATIONS)
        result = Expect()
        result.hear = self.texts(spec.get("hear"), (*path, "hear"))
        result.not_hear = self.texts(spec.get("not_hear"), (*path, "not_hear"))
        for key in ("state", "flow"):
            if key in spec:
                setattr(result, key, str(spec[key]))
        if "dialled" in spec:
            result.dialled = [str(v) for v in _listed(spec["dialled"])]
        if "sms" in spec:
            result.sms = []
        result.visits = [str(v) for v in _listed(spec.get("visits"))]
        for i, sms in enumerate(_listed(spec.get("sms"))):
            sms = {"body": sms} if isinstance(sms, str) else sms
            sms_path = (*path, "sms", i) if isinstance(spec.get("sms"), list) else (*path, "sms")
            self.mapping(sms, sms_path, "an sms", ("to", "body"))
            if isinstance(sms, dict) and result.sms is not None:
                result.sms.append({k: str(v) for k, v in sms.items()})
        variables = spec.get("vars", {})
        if isinstance(variables, dict):
            result.vars = {k: plain(v) for k, v in variables.items()}
        else:
            self.problem((*path, "vars"), "'vars' must be 'name: value' lines")
        if "call_back" in spec:
            result.call_back = self.call_back(spec["call_back"], (*path, "call_back"))
        if "ended" in spec:
            if spec["ended"] not in ENDINGS:
                self.problem((*path, "ended"), f"'ended' is one of: {', '.join(ENDINGS)}")
            result.ended = str(spec["ended"])
        return result

    def call_back(self, value: Any, path: KeyPath) -> dict[str, str]:
        """The callback the call asked for: the flow's name, or {flow, tries} as in the flow."""
        spec = {"flow": value} if isinstance(value, str) else value
        spec = self.mapping(spec, path, "'call_back'", ("flow", "tries"))
        if "flow" not in spec and spec:
            self.problem(path, "'call_back' names the flow: call_back: {flow: callback, tries: 3}")
        return {key: plain(item) for key, item in spec.items()}

    def texts(self, value: Any, path: KeyPath) -> list[Text]:
        result = []
        for i, item in enumerate(_listed(value)):
            where = (*path, i) if isinstance(value, list) else path
            if isinstance(item, dict) and set(item) == {"matches"}:
                try:
                    result.append(Text(str(item["matches"]), re.compile(str(item["matches"]))))
                except re.error as exc:
                    self.problem((*where, "matches"), f"not a regular expression: {exc}")
            elif isinstance(item, str | int | float):
                result.append(Text(str(item)))
            else:
                self.problem(where, "write the words to hear, or 'matches: <regular expression>'")
        return result


_EXAMPLES = dict(
    press="1",
    say="sales",
    dial="busy",
    record="recorded",
    queue="bridged",
    text="hi",
    wait="120",
    connect="completed",
    callback="answered",
)


def _field(value: Any) -> str:
    """A form field as Twilio writes it: YAML's true is 'true', not Python's 'True'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
