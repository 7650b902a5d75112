"""`flowengine import studio EXPORT.json`: bring a flow over from Twilio Studio."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowengine.diagnostics import FlowError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    studio = sub.add_parser(
        "studio",
        help="a Twilio Studio flow (its JSON definition)",
        description="Write a flowengine flow from a Twilio Studio flow definition, and a "
        "report of how every widget was mapped.",
    )
    studio.add_argument("export", metavar="EXPORT.json", help="the Studio flow's JSON definition")
    studio.add_argument(
        "-o",
        "--output",
        metavar="FLOW.yaml",
        help="where to write the flow (default: print it); the report goes beside it",
    )
    studio.add_argument("--report", metavar="FILE", help="where to write the report (Markdown)")
    studio.add_argument(
        "--channel",
        choices=("voice", "sms"),
        help="import the call (voice) or the text (sms) branch of the trigger",
    )
    studio.add_argument(
        "--fallback",
        metavar="WIDGET",
        help="the widget callers go to where a widget cannot be imported (default: an apology "
        "and hang up)",
    )
    studio.add_argument(
        "--subflow",
        action="append",
        default=[],
        metavar="FWSID=NAME",
        help="the flow name a Run Subflow widget's flow was imported as (repeatable)",
    )
    studio.add_argument("--force", action="store_true", help="overwrite an existing flow file")


def run(args: argparse.Namespace) -> int:
    from flowengine.diagnostics import FlowError
    from flowengine.flow.compiler import compile_source
    from flowengine.importers.studio import StudioError, import_file
    from flowengine.importers.studio.writer import schema_line

    output = Path(args.output) if args.output else None
    name = output.stem if output else Path(args.export).stem
    if output is not None and not _servable(name):
        return 2
    try:
        subflows = dict(_pair(item) for item in args.subflow)
        imported = import_file(
            args.export, name, fallback=args.fallback, channel=args.channel, subflows=subflows
        )
    except StudioError as exc:
        print(f"flowengine import: error: {exc.where}: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return 2
    try:
        # What we write must load: a flow that does not is a bug here, never the user's file.
        compile_source(imported.yaml, f"{name}.yaml", {})
    except FlowError as exc:
        _not_loading(args.export, imported.yaml, exc)
        return 2
    if output is None:
        sys.stdout.write(imported.yaml)
        print(f"\n{imported.report}", file=sys.stderr)
        return 0
    report = Path(args.report) if args.report else output.with_suffix(".import.md")
    for path in (output, report):
        if path.exists() and not args.force:
            print(
                f"flowengine import: error: {path} exists (pass --force to overwrite it)",
                file=sys.stderr,
            )
            return 2
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(schema_line(output) + imported.yaml, encoding="utf-8")
        report.write_text(imported.report, encoding="utf-8")
    except OSError as exc:
        print(
            f"flowengine import: error: cannot write {exc.filename or output}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    needs = sum(1 for notes in imported.notes.values() for n in notes if n.level == "missing")
    print(f"wrote {output} and {report}", file=sys.stderr)
    if needs:
        print(f"{needs} thing(s) need you: read {report}", file=sys.stderr)
    return 0


def _not_loading(export: str, text: str, error: FlowError) -> None:
    """Nothing was written, so the problems are placed at the widgets, as Studio names them."""
    from flowengine.importers.studio.writer import widget_at

    errors = [d for d in error.diagnostics if d.severity == "error"] or error.diagnostics
    print(f"flowengine import: error: {export}: the flow would not load:", file=sys.stderr)
    for problem in errors:
        print(
            f"  {widget_at(text, problem.line)}: {problem.code} {problem.message}", file=sys.stderr
        )
        if problem.hint:
            print(f"    hint: {problem.hint}", file=sys.stderr)
    print(
        "  hint: change the widget in Studio and export again; nothing was written",
        file=sys.stderr,
    )


def _servable(name: str) -> bool:
    """The server serves a flow by its file name, as its web address: refuse one it would not."""
    from flowengine.lint.gate import FLOW_NAME

    if FLOW_NAME.fullmatch(name):
        return True
    print(
        f"flowengine import: error: '{name}' cannot be a flow's name: it becomes the flow's "
        "web address\n  hint: name the file with letters, digits, '_' and '-' only, e.g. "
        "-o flows/acme.yaml",
        file=sys.stderr,
    )
    return False


def _pair(item: str) -> tuple[str, str]:
    from flowengine.importers.studio import StudioError

    sid, _, name = item.partition("=")
    if not sid or not name:
        raise StudioError("--subflow", f"'{item}' is not FWSID=NAME")
    return sid.strip(), name.strip()
