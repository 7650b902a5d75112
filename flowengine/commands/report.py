"""`flowengine report`: what real callers did in each flow (text, Markdown or HTML)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    from flowengine.history.cli import add_store_option

    parser.add_argument(
        "flows", nargs="?", default="flows", metavar="FLOWS", help="a flow file or folder (flows)"
    )
    add_store_option(parser)
    parser.add_argument("--flow", help="only this flow of the folder")
    parser.add_argument(
        "--since", metavar="WHEN", help="calls started at or after (7d, 2026-11-01)"
    )
    parser.add_argument("--until", metavar="WHEN", help="calls started before")
    parser.add_argument("--format", choices=("text", "markdown", "html"), default="text")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def fail(message: str, code: int = 2) -> int:
    print(f"flowengine report: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from flowengine.diagnostics import FlowError
    from flowengine.history import report_html, report_text, reporting
    from flowengine.history.cli import history_url, with_store
    from flowengine.history.stores import HistoryError, HistoryStore
    from flowengine.history.traffic import Traffic
    from flowengine.history.when import parse_when

    url = history_url(args)
    if url is None:
        return fail("no call history is kept here (FLOWENGINE_HISTORY=off or a memory:// store)")
    target = Path(args.flows)
    if not target.exists():
        return fail(f"no such flow file or folder: {target}")
    now = time.time()
    try:
        since = parse_when(args.since, now) if args.since else None
        until = parse_when(args.until, now) if args.until else None
        graphs = reporting.graphs(target, args.flow)
    except ValueError as exc:
        return fail(str(exc))
    except FlowError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 1
    if not graphs:
        return fail(f"no flow {args.flow!r} in {target}")

    async def work(store: HistoryStore) -> list[Traffic]:
        return await reporting.traffic(store, graphs, since, until)

    try:
        reports = with_store(url, work)
    except HistoryError as exc:
        return fail(str(exc), 1)
    if args.format == "html":
        text = report_html.render(reports)
    else:
        text = report_text.render(reports, markdown=args.format == "markdown")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
