"""FE251 fetch-result-before-fetch: a state reads a fetch's answer a call may not have yet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules.unreachable_state import adjacency


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fetch":
                continue  # the fetch's own request may not read its answer either; skip it
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, str):
        yield node


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    savers: dict[str, set[str]] = {}
    for name, state in graph.states.items():
        if state.fetch is not None:
            savers.setdefault(state.fetch.save, set()).add(name)
    if not savers:
        return
    adjacent = adjacency(ctx)
    for saved, fetchers in sorted(savers.items()):
        # The states a call reaches from the start without passing any fetch that saves it.
        before: set[str] = set()
        todo = [graph.start]
        while todo:
            name = todo.pop()
            if name in before or name in fetchers:
                continue
            before.add(name)
            todo.extend(adjacent[name])
        pattern = re.compile(rf"\bvars\.{re.escape(saved)}\b")
        for name in sorted(before):
            spec = ctx.data["states"][name]
            if any(pattern.search(text) for text in _texts(spec)):
                yield ctx.problem(
                    RULE,
                    ("states", name),
                    f"'{name}' reads vars.{saved}, which a call can reach before any fetch "
                    f"saved it ({', '.join(sorted(fetchers))})",
                    key=True,
                    hint="go through the fetch first, or check it with "
                    f"{{var: vars.{saved}, empty: true}}",
                )


RULE = Rule(
    code="FE251",
    name="fetch-result-before-fetch",
    severity=Severity.WARNING,
    summary="A state reads a fetch's answer (vars.NAME) on a path where no fetch saved it yet.",
    details=(
        "A fetch keeps its answer under vars.NAME ('save'). A state reached from the start "
        "without passing that fetch reads an empty value: the caller hears a blank where "
        "the balance should be."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: lookup
states:
  lookup:
    fetch: {url: "https://crm.example.com/customers", save: account}
    next: balance
  balance:
    say: "Your balance is {{ vars.account.balance }}."
    hangup: true
""",
    failing="""\
start: balance
states:
  balance:
    say: "Your balance is {{ vars.account.balance }}."
    next: lookup
  lookup:
    fetch: {url: "https://crm.example.com/customers", save: account}
    next: goodbye
  goodbye:
    hangup: true
""",
)
