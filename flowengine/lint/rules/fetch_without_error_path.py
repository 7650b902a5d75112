"""FE250 fetch-without-error-path: a fetch that says where to go only when it works."""

from __future__ import annotations

from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.graph import FETCH_OUTCOMES
from flowengine.lint.rule import FlowContext, Rule

FAILURES = tuple(outcome for outcome in FETCH_OUTCOMES if outcome != "ok")


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    graph = ctx.graph
    assert graph is not None
    for name, state in graph.states.items():
        if state.action != "fetch" or state.next is not None:
            continue
        missing = [outcome for outcome in FAILURES if outcome not in state.on]
        if missing:
            yield ctx.problem(
                RULE,
                ("states", name, "fetch"),
                f"when the fetch in '{name}' fails ({', '.join(missing)}), the call just ends",
                key=True,
                hint="add e.g. 'error, timeout, bad-response: agent' under 'on', or a 'next'",
            )


RULE = Rule(
    code="FE250",
    name="fetch-without-error-path",
    severity=Severity.WARNING,
    summary="A fetch has nowhere to go when the business's system fails or is slow.",
    details=(
        "Backends go down. A fetch needs a way on for an error status, a timeout and a "
        "bad response (under 'on', or a 'next' that catches them), typically to an agent "
        "or an apology; otherwise the caller is hung up on."
    ),
    check=check,
    needs_graph=True,
    passing="""\
start: lookup
states:
  lookup:
    fetch: {url: "https://crm.example.com/customers", save: account}
    on:
      ok: goodbye
      error, timeout, bad-response: sorry
  sorry:
    say: Sorry, we cannot look that up right now.
    next: goodbye
  goodbye:
    hangup: true
""",
    failing="""\
start: lookup
states:
  lookup:
    fetch: {url: "https://crm.example.com/customers", save: account}
    on:
      ok: goodbye
  goodbye:
    hangup: true
""",
)
