"""Argument parsing only: each command lives in its own module under flowengine.commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from flowengine import __version__

# name -> (module under flowengine.commands, one-line help). Each module exposes
# `configure(parser)` and `run(args) -> int`; modules are imported only when used so
# that `flowengine lint` does not pay for importing the web server.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "start a project: a starter menu, its scenarios, lint and CI settings"),
    "serve": ("serve", "serve the flows to Twilio over HTTP"),
    "send": ("send", "post a call's webhooks to a running server, signed as Twilio signs them"),
    "lint": ("lint", "check flow files for problems (for CI and pre-commit)"),
    "simulate": ("simulate", "play the caller in the terminal"),
    "test": ("scenarios", "run scenario files and report transition coverage"),
    "graph": ("graph", "draw a flow as a Mermaid or Graphviz DOT diagram"),
    "call": ("call", "place an outbound call into a flow"),
    "sms": ("sms", "send a text message"),
    "import": ("import_", "bring flows over from another tool (Twilio Studio)"),
    "diff": ("diff", "what callers will notice between two versions of the flows"),
    "experience": ("experience", "caller-experience figures: time to reach a person, ..."),
    "studio": ("studio", "open the browser workbench: diagrams, try a call, edit"),
    "calls": ("calls", "list recorded calls, show one as a transcript, purge old ones"),
    "report": ("report", "what real callers did in each flow, from the call history"),
    "replay": ("replay", "replay recorded calls against another version of the flows"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowengine", description="Phone menus (IVR call flows) in YAML, served as TwiML."
    )
    parser.add_argument("--version", action="version", version=f"flowengine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(_module=module_name)
        _command_module(module_name).configure(command)
    return parser


def _command_module(module_name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"flowengine.commands.{module_name}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_command_module(args._module).run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
