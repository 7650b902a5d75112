"""`flowengine report --format html`: one self-contained page per run, nothing fetched.

The flow diagram is drawn on the server: Graphviz's `dot` turns the traffic-weighted DOT
into inline SVG when it is installed; without it the page shows the transitions as a
table with bars, so the page never needs a script or a CDN.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from html import escape

from flowengine.flow.diagram import dot
from flowengine.history.report_text import heading, sections
from flowengine.history.traffic import Traffic

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.5rem; margin-top: 2.5rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .75rem; text-align: left; }
td.bar span { display: inline-block; height: .7rem; background: #4a7bd0; }
.diagram svg { max-width: 100%; height: auto; }
.muted { color: #777; }
"""


def svg(traffic: Traffic) -> str | None:
    program = shutil.which("dot")
    if program is None:
        return None
    weights = {(e.source, e.target, e.label): n for e, n in traffic.edges.items()}
    source = dot(traffic.graph, weights)
    try:
        done = subprocess.run(
            [program, "-Tsvg"], input=source, capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout
    return text[text.find("<svg") :] if "<svg" in text else None


def bars(traffic: Traffic) -> str:
    busiest = max(traffic.edges.values(), default=0)
    rows = []
    for edge in traffic.graph.edges:
        calls = traffic.edges[edge]
        width = int(200 * calls / busiest) if busiest else 0
        rows.append(
            f"<tr><td>{escape(edge.source)}</td><td>{escape(edge.label)}</td>"
            f"<td>{escape(edge.target)}</td><td>{calls}</td>"
            f'<td class="bar"><span style="width:{width}px"></span></td></tr>'
        )
    head = "<tr><th>from</th><th>on</th><th>to</th><th>calls</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return '<p class="muted">(none)</p>'
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(reports: Sequence[Traffic]) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>flowengine traffic report</title>",
        f"<style>{STYLE}</style></head><body>",
    ]
    for traffic in reports:
        title, period = heading(traffic)
        parts += [f"<h1>{escape(title)}</h1>", f'<p class="muted">{escape(period)}</p>']
        drawn = svg(traffic)
        parts.append("<h2>The flow, by traffic</h2>")
        parts.append(f'<div class="diagram">{drawn}</div>' if drawn else bars(traffic))
        for name, columns, rows in sections(traffic):
            parts += [f"<h2>{escape(name)}</h2>", table(columns, rows)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
