"""The Markdown report for a pull-request comment: the changes, a Mermaid diagram with the
changes highlighted (GitHub draws it), the caller-experience figures and the scenarios."""

from __future__ import annotations

from flowengine.diff.changes import Diff, FlowDiff, StateDiff
from flowengine.diff.mermaid import diff_mermaid
from flowengine.diff.wording import counts, figure_rows, sentence
from flowengine.diff.words import as_markdown, code_span, escape_markdown
from flowengine.flow.graph import Graph

MARKER = "<!-- flowengine diff -->"  # lets a CI job find and update its own comment
_ICON = {
    "added": "🟢 added",
    "removed": "🔴 removed",
    "changed": "🟡 changed",
    "renamed": "🟡 renamed",
}


def markdown(diff: Diff, old: dict[str, Graph], new: dict[str, Graph]) -> str:
    lines = [MARKER, "## What callers will notice", ""]
    lines.append(f"{code_span(diff.old)} → {code_span(diff.new)}")
    for flow in diff.flows:
        if flow.changed:
            lines += ["", *_flow(flow, old.get(flow.name), new.get(flow.name))]
    quiet = [flow for flow in diff.flows if not flow.changed]
    if quiet:
        names = ", ".join(f"`{flow.name}`" for flow in quiet)
        lines += ["", f"No change to callers in {names}."]
        unheard = sorted({note for f in quiet for note in f.unheard})
        if unheard:
            lines.append(f"Only {'; '.join(unheard)} changed there.")
    if not diff.changed:
        lines += ["", "**No change to callers.**"]
    return "\n".join(lines) + "\n"


def _flow(flow: FlowDiff, old: Graph | None, new: Graph | None) -> list[str]:
    where = code_span(str(flow.new_path or flow.old_path))
    if flow.status in ("added", "removed"):
        lines = [f"### Flow `{flow.name}` {flow.status}", "", where]
    else:
        lines = [f"### Flow `{flow.name}`", "", f"{where}: {counts(flow)}"]
    if flow.changes:
        lines += ["", "| flow setting | change |", "| --- | --- |"]
        for change in flow.changes:
            detail = "<br>".join(escape_markdown(d) for d in change.details)
            text = escape_markdown(sentence(change)) + (f"<br>{detail}" if detail else "")
            lines.append(f"| {change.kind} | {text} |")
    if flow.status == "changed" and flow.states:
        lines += ["", "| state | | what changes for callers |", "| --- | --- | --- |"]
        lines += [_state(state) for state in flow.states]
    lines += ["", "<details><summary>Diagram of the change</summary>", "", "```mermaid"]
    lines += [diff_mermaid(flow, old, new).rstrip("\n"), "```", "", "</details>"]
    if flow.experience:
        lines += ["", "| caller experience | before | after |", "| --- | --- | --- |"]
        for label, before, after in figure_rows(flow.experience):
            mark = "" if before == after or "-" in (before, after) else " **(changed)**"
            lines.append(f"| {label} | {before} | {after}{mark} |")
    if flow.scenarios:
        lines += ["", "| scenario | goes through | before | after |", "| --- | --- | --- | --- |"]
        for impact in flow.scenarios:
            lines.append(
                f"| `{impact.file}:{impact.line}` {escape_markdown(impact.name)} "
                f"| {', '.join(impact.touches)} | {_result(impact.passed_old)} "
                f"| {_result(impact.passed_new)} |"
            )
        for impact in flow.scenarios:
            if impact.failure:
                summary = f"Why <code>{escape_markdown(impact.name)}</code> fails now"
                text = impact.failure.replace("`", "'")  # nothing can close the code block
                lines += ["", f"<details><summary>{summary}</summary>", "", "```", text, "```"]
                lines += ["", "</details>"]
    return lines


def _state(state: StateDiff) -> str:
    name = f"`{state.name}`" if state.status != "renamed" else f"`{state.old}` → `{state.new}`"
    items = []
    for change in state.changes:
        if change.kind == "prompt":
            items.append(f"{escape_markdown(change.what)}: {as_markdown(list(change.words))}")
        else:
            items.append(escape_markdown(sentence(change)))
    return f"| {name} | {_ICON[state.status]} | {'<br>'.join(items) or ''} |"


def _result(passed: bool | None) -> str:
    return "-" if passed is None else ("✅ pass" if passed else "❌ fail")
