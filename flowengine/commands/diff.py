"""`flowengine diff OLD NEW`: what callers will experience differently between two versions.

Exit codes: 0 no change to callers, 1 changes, 2 an error (a side that cannot be read or
does not compile, a bad option).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "old", metavar="OLD", help="a flow file, a folder, or a git revision (HEAD~1, main:flows/)"
    )
    parser.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="the same kinds; default: the OLD path in the working tree, else ./flows",
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown (for a pull-request comment) or json",
    )
    parser.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="PATH",
        help="scenario files or folders to play on both sides (default: ./scenarios if any)",
    )
    parser.add_argument("--no-scenarios", action="store_true", help="do not play any scenario")
    parser.add_argument(
        "--words-per-minute",
        type=float,
        default=150.0,
        metavar="N",
        help="speaking rate behind the seconds in the caller-experience figures (default 150)",
    )
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="compare opening hours for the year from this date (default: today)",
    )
    parser.add_argument(
        "--environ",
        action="store_true",
        help="resolve ${VAR} settings from this environment, as the server would",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace
    from pathlib import Path

    from flowengine.diff.impact import ScenarioFileError
    from flowengine.diff.reporters import REPORTERS
    from flowengine.diff.review import Options, review
    from flowengine.diff.sides import SideError, load_sides

    environ = os.environ if args.environ else None
    new_spec = args.new
    if new_spec is None:
        _, colon, path = args.old.partition(":")
        new_spec = path if colon and path else "flows"
    scenarios = [] if args.no_scenarios else list(args.scenarios)
    if not scenarios and not args.no_scenarios and Path("scenarios").is_dir():
        scenarios = ["scenarios"]
    try:
        if args.words_per_minute <= 0:
            raise SideError("--words-per-minute must be above 0")
        old, new = load_sides(args.old, new_spec, environ, new_may_be_gone=args.new is None)
        for side, every in ((old, "added"), (new, "removed")):
            if not side.graphs:
                print(
                    f"flowengine diff: no flows in {side.label}: every flow is {every}",
                    file=sys.stderr,
                )
        options = Options(rate=args.words_per_minute, scenarios=tuple(scenarios))
        if args.since is not None:
            options = replace(options, since=args.since)
        diff = review(old, new, options)
    except SideError as exc:
        print(f"flowengine diff: {exc}", file=sys.stderr)
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 2
    except ScenarioFileError as exc:
        print("flowengine diff: a scenario file cannot be read:", file=sys.stderr)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    text = REPORTERS[args.format](diff, old.graphs, new.graphs)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"flowengine diff: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 1 if diff.changed else 0
