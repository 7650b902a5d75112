"""`flowengine graph`: draw a flow as a Mermaid or Graphviz DOT diagram."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW_FILE", help="the flow to draw (a YAML file)")
    parser.add_argument(
        "--format",
        choices=("mermaid", "dot"),
        default="mermaid",
        help="mermaid (GitHub and GitLab render it in Markdown) or dot (Graphviz); "
        "default: mermaid",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    from flowengine.diagnostics import FlowError
    from flowengine.flow.compiler import load_flow
    from flowengine.flow.diagram import FORMATS

    if not Path(args.flow).is_file():
        print(f"flowengine graph: error: no such flow file: {args.flow}", file=sys.stderr)
        return 2
    try:
        graph = load_flow(args.flow)
    except FlowError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 1
    text = FORMATS[args.format](graph)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
