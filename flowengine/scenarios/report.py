"""The `flowengine test` run: find scenario files, run them, report in text or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from flowengine.diagnostics import FlowError
from flowengine.flow.files import SUFFIXES, flow_files
from flowengine.lint.runner import UsageError as LintUsageError
from flowengine.scenarios.coverage import FlowCoverage
from flowengine.scenarios.file import Scenario, ScenarioFileError, load
from flowengine.scenarios.runner import Result, Runner

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BROKEN = 0, 1, 2, 3
DEFAULT_FOLDER = Path("scenarios")


def find(paths: list[str]) -> list[Path]:
    """Scenario files named, or found in the folders named, in a stable order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise ScenarioFileError([f"{name}: no such file or folder"])
    return found


def test(paths: list[str], minimum: float | None, fmt: str, out: TextIO, err: TextIO) -> int:
    discover = not paths
    if discover and not DEFAULT_FOLDER.is_dir():
        print(f"flowengine test: no {DEFAULT_FOLDER}/ folder here; name scenario files", file=err)
        return EXIT_USAGE
    scenarios: list[Scenario] = []
    problems: list[str] = []
    try:
        files = find(paths or [str(DEFAULT_FOLDER)])
    except ScenarioFileError as exc:
        files, problems = [], exc.problems
    for file in files:
        try:
            scenarios += load(str(file))
        except ScenarioFileError as exc:
            problems += exc.problems
    if not problems and not scenarios:
        problems.append("no scenarios found")
    if problems:
        for problem in problems:
            print(problem, file=err)
        return EXIT_USAGE
    runner = Runner()
    results = [runner.run(scenario) for scenario in scenarios]
    broken: list[str] = []
    if discover:
        broken = _include_untested(runner, scenarios)
    flows = runner.coverage.report()
    low = [f for f in flows if minimum is not None and f.percent < minimum]
    failed = [r for r in results if not r.passed]
    (_json if fmt == "json" else _text)(results, flows, low, minimum, broken, out)
    if broken or any(r.broken for r in results):
        return EXIT_BROKEN
    return EXIT_FAILED if failed or low else EXIT_OK


def _include_untested(runner: Runner, scenarios: list[Scenario]) -> list[str]:
    """Every flow in the folders the scenarios call, so an untested flow shows as 0%."""
    broken: list[str] = []
    for folder in sorted({s.flows.resolve(): s.flows for s in scenarios}.values()):
        try:
            flows = runner.flows(folder)
        except LintUsageError as exc:
            broken.append(f"{folder}: {exc}")
            continue
        for name in flow_files(folder):
            try:
                runner.coverage.include(flows.get(name))
            except FlowError as exc:
                broken += [str(d) for d in exc.diagnostics]
    return broken


def _text(
    results: list[Result],
    flows: list[FlowCoverage],
    low: list[FlowCoverage],
    minimum: float | None,
    broken: list[str],
    out: TextIO,
) -> None:
    for result in results:
        s = result.scenario
        print(f"{'PASS' if result.passed else 'FAIL'}  {s.file}:{s.line}  {s.name}", file=out)
    failed = [r for r in results if not r.passed]
    if failed:
        print("\n" + " FAILURES ".center(72, "="), file=out)
    for result in failed:
        s = result.scenario
        print(f"\n{f' {s.file}:{s.line}: {s.name} '.center(72, '_')}", file=out)
        print(result.failure, file=out)
        print("  transcript:", file=out)
        for line in result.transcript:
            print(f"    {line}", file=out)
    print("\nTransition coverage", file=out)
    for flow in flows:
        print(f"  {flow.summary()}", file=out)
        for state in flow.missed_states:
            print(f"    missed state: {state}", file=out)
        for edge in flow.missed_edges:
            print(f"    missed edge: {edge.source} --[{edge.label}]--> {edge.target}", file=out)
    for line in broken:
        print(line, file=out)
    summary = f"\n{len(results) - len(failed)} passed, {len(failed)} failed"
    print(summary, file=out)
    if low:
        names = ", ".join(f"{f.graph.name} {f.percent:.1f}%" for f in low)
        print(f"coverage below {minimum:g}%: {names}", file=out)


def _json(
    results: list[Result],
    flows: list[FlowCoverage],
    low: list[FlowCoverage],
    minimum: float | None,
    broken: list[str],
    out: TextIO,
) -> None:
    document = {
        "scenarios": [
            {
                "file": r.scenario.file,
                "line": r.scenario.line,
                "name": r.scenario.name,
                "passed": r.passed,
                "failure": r.failure,
                "transcript": r.transcript,
            }
            for r in results
        ],
        "coverage": [flow.as_json() for flow in flows],
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "min_coverage": minimum,
        "below_min_coverage": [f.graph.name for f in low],
        "flow_errors": broken,
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
