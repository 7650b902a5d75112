"""`flowengine report` for the terminal and for Markdown (a PR, a wiki page)."""

from __future__ import annotations

from collections.abc import Sequence

from flowengine.history.traffic import Traffic
from flowengine.history.transcript import when

TOP_PATHS = 5


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def sections(traffic: Traffic) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, column headings, rows) for each part of the report."""
    calls = traffic.calls
    parts: list[tuple[str, list[str], list[list[str]]]] = []
    parts.append(
        (
            "Outcomes",
            ["outcome", "calls", "share"],
            [[o, str(n), _pct(n, calls)] for o, n in traffic.outcomes.most_common()],
        )
    )
    entered = traffic.entries
    parts.append(
        (
            "Where callers hung up",
            ["state", "hung up here", "of callers who got there"],
            [[s, str(n), _pct(n, entered[s])] for s, n in traffic.hangups.most_common()],
        )
    )
    parts.append(
        (
            "Gathers: how often they had to ask again",
            ["state", "answers", "no-input", "no-match", "retry rate"],
            [
                [s, str(g.answers), str(g.no_input), str(g.no_match), f"{100 * g.retry_rate:.1f}%"]
                for s, g in sorted(traffic.gathers.items())
            ],
        )
    )
    person = traffic.time_to_person()
    parts.append(
        (
            "Time to reach a person",
            ["calls that reached one", "median", "90th percentile"],
            [[str(len(traffic.to_person)), f"{person[0]:.1f} s", f"{person[1]:.1f} s"]]
            if person
            else [],
        )
    )
    parts.append(
        (
            "Paths most taken",
            ["calls", "path"],
            [[str(n), " > ".join(p)] for p, n in traffic.paths.most_common(TOP_PATHS)],
        )
    )
    parts.append(
        (
            "Coverage from real traffic: never reached",
            ["state"],
            [[s] for s in traffic.unvisited_states],
        )
    )
    parts.append(
        (
            "Coverage from real traffic: transitions never taken",
            ["from", "on", "to"],
            [[e.source, e.label, e.target] for e in traffic.untaken_edges],
        )
    )
    return parts


def heading(traffic: Traffic) -> tuple[str, str]:
    graph = traffic.graph
    states, edges = len(graph.states), len(graph.edges)
    seen_states = states - len(traffic.unvisited_states)
    seen_edges = edges - len(traffic.untaken_edges)
    title = f"Flow {graph.name}: {traffic.calls} call(s)"
    period = (
        f"from {when(traffic.first)} to {when(traffic.last)}; states reached {seen_states}/"
        f"{states}, transitions taken {seen_edges}/{edges}"
    )
    return title, period


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return lines
    widths = [max(len(str(r[i])) for r in [columns, *rows]) for i in range(len(columns))]
    return [
        "  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [columns, *rows]
    ]


def render(reports: Sequence[Traffic], markdown: bool = False) -> str:
    out: list[str] = []
    for traffic in reports:
        title, period = heading(traffic)
        out += [f"# {title}" if markdown else title, "", period, ""]
        for name, columns, rows in sections(traffic):
            out.append(f"## {name}" if markdown else f"{name}:")
            if markdown:
                out.append("")
            out += (
                _table(columns, rows, markdown)
                if rows
                else ["  (none)" if not markdown else "(none)"]
            )
            out.append("")
    return "\n".join(out).rstrip() + "\n"
