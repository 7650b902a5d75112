"""FE216 unknown-flow: a hand-over, queue wait or callback names a flow not in the folder."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import KeyPath
from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.walk import states


def check(ctx: FlowContext) -> Iterator[Diagnostic]:
    flows = ctx.project.flows(ctx.directory)
    for name, spec in states(ctx.data):
        base: KeyPath = ("states", name)
        wanted: list[tuple[KeyPath, str, str | None]] = []
        redirect, enqueue = spec.get("redirect"), spec.get("enqueue")
        if isinstance(redirect, str):
            wanted.append(((*base, "redirect"), redirect, None))
        elif isinstance(redirect, dict) and "flow" in redirect:
            wanted.append(((*base, "redirect", "flow"), redirect["flow"], redirect.get("state")))
        if isinstance(enqueue, dict) and "wait" in enqueue:
            wanted.append(((*base, "enqueue", "wait"), enqueue["wait"], None))
        call_back = spec.get("call_back")
        if isinstance(call_back, dict) and isinstance(call_back.get("flow"), str):
            wanted.append(((*base, "call_back", "flow"), call_back["flow"], None))
        for path, flow, state in wanted:
            if flow not in flows:
                close = difflib.get_close_matches(flow, sorted(flows), n=1)
                yield ctx.problem(
                    RULE,
                    path,
                    f"there is no flow '{flow}' ({flow}.yaml) in this folder",
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else "add the flow, or fix the name",
                )
                continue
            doc = ctx.project.flow(ctx.directory, flow)
            other = doc.data.get("states") if doc and isinstance(doc.data, dict) else None
            if state is not None and isinstance(other, dict) and state not in other:
                yield ctx.problem(
                    RULE,
                    (*base, "redirect", "state"),
                    f"flow '{flow}' has no state '{state}'",
                    hint="name one of its states, or leave 'state' out to use its start",
                )


RULE = Rule(
    code="FE216",
    name="unknown-flow",
    severity=Severity.ERROR,
    summary="A hand-over, queue wait or callback names a flow (or a state) that does not exist.",
    details=(
        "A redirect to a flow, an enqueue's 'wait' and a call_back's 'flow' name another "
        "flow by its file name "
        "without .yaml; flowengine serves the flows of one folder, so the file must be in "
        "the same folder as this one. A redirect's 'state' must be a state of that flow. "
        "(The passing example assumes a billing.yaml beside it.)"
    ),
    check=check,
    passing="""\
start: transfer
states:
  transfer:
    say: One moment.
    redirect: billing
""",
    failing="""\
start: transfer
states:
  transfer:
    say: One moment.
    redirect: biling
""",
)
