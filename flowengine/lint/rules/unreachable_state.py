"""FE201 unreachable-state: a state no call can ever get to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule


def reachable(adjacent: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = [s for s in starts if s in adjacent]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(adjacent[name])
    return seen


def adjacency(ctx: FlowContext) -> dict[str, list[str]]:
    assert ctx.graph is not None
    table: dict[str, list[str]] = {name: [] for name in ctx.graph.states}
    for edge in ctx.graph.edges:
        table[edge.source].append(edge.target)
    return table


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    adjacent = adjacency(ctx)
    seen = reachable(adjacent, [graph.start])
    if len(seen) == len(graph.states):
        return
    # States that other flows of the folder hand calls to by name are ways in, too.
    seen |= reachable(adjacent, ctx.project.entries(ctx.directory, graph.name))
    for name in graph.states:
        if name not in seen:
            yield ctx.problem(
                RULE,
                ("states", name),
                f"state '{name}' can never be reached from the start state '{graph.start}'",
                key=True,
                hint="go to it from another state, or remove it",
            )


RULE = Rule(
    code="FE201",
    name="unreachable-state",
    severity=Severity.WARNING,
    summary="A state that no call can ever get to.",
    details=(
        "Nothing leads to the state from 'start' (through on, next, retry or switch), and "
        "no other flow in the same folder hands calls to it by name. It is usually a "
        "misspelt target or a leftover."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: menu
states:
  menu:
    say: Hello.
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: menu
states:
  menu:
    say: Hello.
    hangup: true
  goodbye:
    hangup: true
""",
)
