"""`flowengine test`: run scenarios on the simulated caller and check what happened.

A scenario is played step by step through `simulate.Call`, so it runs on `runtime.step`
like a real call does. A scenario stops at its first failing step; the failure lists what
was expected beside the transcript so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flowengine.diagnostics import FlowError
from flowengine.flow.graph import Graph
from flowengine.lint.runner import UsageError as LintUsageError
from flowengine.scenarios.coverage import Coverage
from flowengine.scenarios.expectations import Seen, check
from flowengine.scenarios.file import Scenario
from flowengine.sim import caller_input
from flowengine.sim.caller_input import InputError
from flowengine.sim.fetches import Declared
from flowengine.sim.flows import FlowFailed, Flows, SimulationError
from flowengine.sim.simulate import Call, Turn


@dataclass
class Result:
    scenario: Scenario
    failure: str | None = None
    transcript: list[str] = field(default_factory=list)
    broken: bool = False  # the flow is refused, or fails at run time: not the scenario's fault

    @property
    def passed(self) -> bool:
        return self.failure is None


class Runner:
    """Runs scenarios, compiling each flow once and adding every step to the coverage."""

    def __init__(self, coverage: Coverage | None = None) -> None:
        self.coverage = coverage or Coverage()
        self.folders: dict[Path, Flows] = {}

    def flows(self, folder: Path) -> Flows:
        key = folder.resolve()
        if key not in self.folders:
            self.folders[key] = Flows(folder)
        return self.folders[key]

    def graph(self, scenario: Scenario) -> Graph:
        flows = self.flows(scenario.flows)
        if scenario.flow.resolve().parent == scenario.flows.resolve():
            return flows.get(scenario.flow.stem)
        return flows.load(scenario.flow)

    def run(self, scenario: Scenario) -> Result:
        result = Result(scenario)
        try:
            self.play(scenario, result)
        except FlowError as exc:
            result.failure = "the flow does not load:\n" + "\n".join(map(str, exc.diagnostics))
            result.broken = True
        except FlowFailed as exc:
            result.failure = f"the flow failed: {exc}"
            result.broken = True
        except LintUsageError as exc:
            result.failure = f"the project's lint configuration is wrong: {exc}"
            result.broken = True
        except SimulationError as exc:
            result.failure = f"the call cannot go on: {exc}"
        return result

    def play(self, scenario: Scenario, result: Result) -> None:
        graph = self.graph(scenario)
        self.coverage.include(graph)
        now = scenario.at or datetime.now(UTC)
        call = Call(
            graph,
            self.flows(scenario.flows),
            now,
            scenario.caller,
            scenario.to,
            scenario.params,
            scenario.start,
        )
        call.fetch_answers = Declared(scenario.fetch)
        call.splits = dict(scenario.split)
        whole = Seen()
        first = (
            scenario.steps[0].params if scenario.steps and scenario.steps[0].input is None else {}
        )
        seen = self.turn(call.begin(first), whole, result, "(the call starts)")
        for number, step in enumerate(scenario.steps, 1):
            where = f"step {number} ({scenario.file}:{step.line}): {step.shown}"
            if step.input is not None:
                called_back = call.ended == "call_back" and step.input.startswith("callback:")
                if call.wait is None and not called_back:
                    result.failure = f"{where}\n    the call already ended ({call.ended})"
                    return
                try:
                    action = caller_input.parse(step.input, call.wait)
                except InputError as exc:
                    result.failure = f"{where}\n    {exc}"
                    return
                seen = self.turn(call.answer(action, step.params), whole, result, f"> {step.shown}")
            problems = check(step.expect, seen, call)
            if problems:
                result.failure = "\n".join([where, *problems])
                return
        problems = check(scenario.expect, whole, call)
        if problems:
            result.failure = "\n".join([f"expect ({scenario.file}):", *problems])

    def turn(self, turn: Turn, whole: Seen, result: Result, heading: str) -> Seen:
        for run in turn.runs:
            self.coverage.record(run)
        seen = Seen()
        seen.add(turn)
        whole.add(turn)
        result.transcript.append(heading)
        result.transcript += [f"  {line}" for line in turn.lines]
        return seen
