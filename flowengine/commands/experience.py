"""`flowengine experience`: caller-experience figures of flows (also `flowengine lint
--experience`): the shortest and longest way to a person, menu depth, the longest prompt,
and the menus without a way back or to an operator.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="flow files, folders or a git revision and path (default: flows)",
    )
    add_options(parser)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--words-per-minute",
        type=float,
        default=None,
        metavar="N",
        help="speaking rate (default: words-per-minute in [tool.flowengine.lint], else 150)",
    )


def run(args: argparse.Namespace) -> int:
    return show(args.paths or ["flows"], args.words_per_minute, getattr(args, "format", None))


def show(paths: list[str], rate: float | None, fmt: str | None) -> int:
    from flowengine.diff.heard import WORDS_PER_MINUTE
    from flowengine.diff.report_experience import experience
    from flowengine.diff.sides import SideError, load_side
    from flowengine.lint import config
    from flowengine.lint.runner import UsageError

    try:
        if rate is None:
            rate = config.load().limits.get("words-per-minute", WORDS_PER_MINUTE)
        if rate <= 0:
            raise SideError("--words-per-minute must be above 0")
        graphs = {}
        for path in paths:
            graphs.update(load_side(path).graphs)
    except (SideError, UsageError) as exc:
        print(f"flowengine experience: {exc}", file=sys.stderr)
        for diagnostic in getattr(exc, "diagnostics", []):
            print(diagnostic, file=sys.stderr)
        return 2
    sys.stdout.write(experience(graphs, rate, "json" if fmt == "json" else "text"))
    return 0
