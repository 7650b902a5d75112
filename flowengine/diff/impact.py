"""The scenarios (`flowengine test`) that go through changed states, and whether they pass.

Each scenario is played on the old side and on the new side with the same runner as
`flowengine test`; the states it went through on either side tell whether it exercises
the change, and the new side's result whether it still passes.
"""

from __future__ import annotations

from pathlib import Path

from flowengine.diff.changes import FlowDiff, ScenarioImpact
from flowengine.flow.graph import Graph
from flowengine.scenarios.coverage import Coverage
from flowengine.scenarios.file import Scenario, ScenarioFileError, load
from flowengine.scenarios.report import find
from flowengine.scenarios.runner import Result, Runner
from flowengine.sim.flows import Flows, SimulationError

__all__ = ["ScenarioFileError", "impacts", "load_scenarios"]


class SideRunner(Runner):
    """A runner that finds flows on one side of the diff instead of on disk."""

    def __init__(self, graphs: dict[str, Graph]) -> None:
        super().__init__(Coverage())
        self.side = graphs

    def flows(self, folder: Path) -> Flows:
        key = folder.resolve()
        if key not in self.folders:
            flows = Flows(folder)
            flows.graphs.update(self.side)
            self.folders[key] = flows
        return self.folders[key]

    def graph(self, scenario: Scenario) -> Graph:
        name = scenario.flow.stem
        if name not in self.side:
            raise SimulationError(f"there is no flow '{name}' on this side")
        return self.side[name]


def load_scenarios(paths: list[str]) -> list[Scenario]:
    scenarios: list[Scenario] = []
    for file in find(paths):
        scenarios += load(str(file))
    return scenarios


def _play(scenario: Scenario, graphs: dict[str, Graph]) -> tuple[Result | None, set[str]]:
    """The result and the states visited in the scenario's flow; None: no such flow here."""
    if scenario.flow.stem not in graphs:
        return None, set()
    runner = SideRunner(graphs)
    try:
        result = runner.run(scenario)
    except Exception as exc:  # a runtime error in the flow: the scenario fails, the diff goes on
        result = Result(scenario, failure=f"the call failed: {exc}")
    visited: set[str] = set()
    for flow in runner.coverage.report():
        if flow.graph.name == scenario.flow.stem:
            visited |= flow.states
    return result, visited


def impacts(
    scenarios: list[Scenario],
    old: dict[str, Graph],
    new: dict[str, Graph],
    flows: list[FlowDiff],
) -> None:
    """Adds to each changed flow the scenarios that exercise its changes."""
    by_name = {flow.name: flow for flow in flows if flow.changed}
    for scenario in scenarios:
        flow = by_name.get(scenario.flow.stem)
        if flow is None:
            continue
        changed_old = {s.old for s in flow.states if s.old is not None}
        changed_new = {s.new for s in flow.states if s.new is not None}
        before, visited_old = _play(scenario, old)
        after, visited_new = _play(scenario, new)
        touches = sorted((visited_old & changed_old) | (visited_new & changed_new))
        if flow.changes and not touches and (visited_old or visited_new):
            touches = ["(settings of the whole flow)"]
        if not touches:
            continue
        flow.scenarios.append(
            ScenarioImpact(
                file=scenario.file,
                line=scenario.line,
                name=scenario.name,
                touches=touches,
                passed_old=None if before is None else before.passed,
                passed_new=None if after is None else after.passed,
                failure=None if after is None else after.failure,
            )
        )
