"""`flowengine lint`: check flow files for problems, for people, CI and pre-commit.

Exit codes: 0 nothing fails (warnings pass unless --strict), 1 findings fail the run (an
error, or any warning under --strict), 2 a usage error (a missing path, an unknown rule,
a bad [tool.flowengine.lint]; argparse's own errors are 2 as well).
"""

from __future__ import annotations

import argparse
import os
import sys

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="flow files or folders (default: flows)"
    )
    parser.add_argument(
        "--format",
        choices=("auto", "text", "json", "github", "sarif"),
        help="output format (default auto: github annotations when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--strict", action="store_true", default=None, help="warnings fail too (exit 1)"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="RULES",
        help="only these rules: codes, names or code prefixes, comma-separated (repeatable)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULES",
        help="skip these rules: codes or names, comma-separated (repeatable)",
    )
    parser.add_argument(
        "--environ",
        action="store_true",
        help="resolve ${VAR} settings from this environment, as the server would",
    )
    parser.add_argument(
        "--no-config", action="store_true", help="ignore [tool.flowengine.lint] in pyproject.toml"
    )
    parser.add_argument(
        "--experience",
        action="store_true",
        help="print the caller-experience figures instead (as flowengine experience)",
    )
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument(
        "--explain",
        metavar="RULE",
        help="show a rule's documentation with examples ('all': the whole reference)",
    )


def run(args: argparse.Namespace) -> int:
    # Imported here so that building the CLI's parser stays cheap for other commands.
    from flowengine.lint import config, docs, reporters
    from flowengine.lint.rules import find
    from flowengine.lint.runner import UsageError, lint_paths

    if args.experience:
        from flowengine.commands.experience import show

        return show(args.paths or ["flows"], None, args.format)
    try:
        if args.list_rules:
            sys.stdout.write(docs.table())
            return 0
        if args.explain:
            if args.explain == "all":
                sys.stdout.write(docs.reference())
                return 0
            rule = find(args.explain)
            if rule is None:
                raise UsageError(f"unknown rule '{args.explain}' (see --list-rules)")
            sys.stdout.write(docs.explain(rule))
            return 0
        settings = config.Config() if args.no_config else config.load()
        options = config.options(settings, args.select, args.ignore, args.environ)
        result = lint_paths(args.paths or ["flows"], options)
    except UsageError as exc:
        print(f"flowengine lint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = reporters.pick(args.format or settings.format, os.environ)
    sys.stdout.write(report(result.diagnostics, len(result.files)))
    strict = settings.strict if args.strict is None else args.strict
    failing = (
        result.diagnostics if strict else [d for d in result.diagnostics if d.severity == "error"]
    )
    return EXIT_FINDINGS if failing else EXIT_CLEAN
