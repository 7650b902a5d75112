"""The terminal report: flow by flow, state by state, prompts as a word diff."""

from __future__ import annotations

from flowengine.diff.changes import Diff, FlowDiff, StateDiff
from flowengine.diff.wording import counts, figure_rows, sentence
from flowengine.diff.words import as_text
from flowengine.flow.graph import Graph

_MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def text(diff: Diff, old: dict[str, Graph], new: dict[str, Graph]) -> str:
    lines = [f"flowengine diff {diff.old} {diff.new}"]
    quiet = [flow.name for flow in diff.flows if not flow.changed]
    for flow in diff.flows:
        if flow.changed:
            lines += ["", *_flow(flow)]
    if quiet:
        lines += ["", f"no change to callers: {', '.join(quiet)}"]
        unheard = sorted({note for f in diff.flows if not f.changed for note in f.unheard})
        if unheard:
            lines.append(f"  (changed only: {'; '.join(unheard)})")
    verdict = "callers will notice changes" if diff.changed else "no change to callers"
    lines += ["", verdict]
    return "\n".join(lines) + "\n"


def _flow(flow: FlowDiff) -> list[str]:
    where = flow.new_path or flow.old_path
    if flow.status in ("added", "removed"):
        lines = [f"{_MARK[flow.status]} flow {flow.name} ({where}): {flow.status}"]
    else:
        lines = [f"flow {flow.name} ({where}): {counts(flow)}"]
    for change in flow.changes:
        lines.append(f"  {sentence(change)}")
        lines += [f"      {detail}" for detail in change.details]
    if flow.status == "changed":
        for state in flow.states:
            lines += _state(state)
    if flow.experience:
        lines.append(f"  caller experience{'':<14}{'before':<34}after")
        for label, before, after in figure_rows(flow.experience):
            lines.append(f"    {label:<29}{before:<34}{after}")
    if flow.scenarios:
        lines.append("  scenarios through the changes:")
        for impact in flow.scenarios:
            result = _verdict(impact.passed_old, impact.passed_new)
            lines.append(
                f"    {result:<10} {impact.file}:{impact.line}  {impact.name} "
                f"(goes through {', '.join(impact.touches)})"
            )
            if impact.failure:
                lines += [f"        {line}" for line in impact.failure.splitlines()[:6]]
    return lines


def _state(state: StateDiff) -> list[str]:
    mark = _MARK[state.status]
    if state.status == "renamed":
        head = f"  {mark} state {state.old} renamed to {state.new}"
    else:
        head = f"  {mark} state {state.name}" + (
            "" if state.status == "changed" else f" {state.status}"
        )
    lines = [head]
    for change in state.changes:
        if change.kind == "prompt":
            lines.append(f"      {change.what}: {as_text(list(change.words))}")
        else:
            lines.append(f"      {sentence(change)}")
    return lines


def _verdict(old: bool | None, new: bool | None) -> str:
    def word(result: bool | None) -> str:
        return "-" if result is None else ("pass" if result else "FAIL")

    return f"{word(old)}->{word(new)}"
