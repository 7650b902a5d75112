"""`flowengine test`: run scenario files and report transition coverage.

Exit codes: 0 every scenario passed (and coverage is high enough), 1 a scenario failed or
coverage is below --min-coverage, 2 a usage error or a scenario file that cannot be read,
3 a flow is broken: refused as the server refuses it (compile errors, error findings the
project does not ignore), or failed at run time. 3 wins over 1.
"""

from __future__ import annotations

import argparse
import sys

DEFAULT_FOLDER = "scenarios"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"scenario files or folders (default: ./{DEFAULT_FOLDER}/, with every flow "
        "in the folders its scenarios call)",
    )
    parser.add_argument(
        "--min-coverage",
        type=float,
        default=None,
        metavar="N",
        help="fail when a flow's transition coverage is below N percent",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    from flowengine.scenarios.report import test

    return test(args.paths, args.min_coverage, args.format, sys.stdout, sys.stderr)
