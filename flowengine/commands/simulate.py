"""`flowengine simulate`: play the caller in the terminal, or from a list of inputs."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW_FILE", help="the flow to call (a YAML file)")
    parser.add_argument(
        "--from", dest="caller", default="+15550001111", metavar="NUMBER", help="caller's number"
    )
    parser.add_argument("--to", default="+15550009999", metavar="NUMBER", help="the number called")
    parser.add_argument(
        "--at",
        metavar="DATETIME",
        help="the clock for opening hours: 2026-03-02T10:00-05:00, ...Z, or "
        "'2026-03-02T10:00 America/New_York' (default: now)",
    )
    parser.add_argument(
        "--inputs",
        metavar="LIST",
        help="run without a terminal: 1,silence,speech:yes,dial:busy,record:recorded,"
        "queue:bridged,hangup (for a text flow: each item is a text)",
    )
    parser.add_argument(
        "--flows",
        metavar="DIR",
        help="where hand-overs find other flows (default: FLOW_FILE's folder)",
    )
    parser.add_argument("--start", metavar="STATE", help="enter the flow at this state")
    parser.add_argument(
        "--fetch",
        metavar="FILE",
        help="answers to the flow's fetches (YAML: STATE: {status: 200, body: {...}} or "
        "{timeout: true}); without it the terminal asks, and --inputs runs fail at a fetch",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="extra form field Twilio posts with the call, e.g. QueueTime=700 (repeat)",
    )


def run(args: argparse.Namespace) -> int:
    from flowengine.sim.console import play

    return play(args, sys.stdin, sys.stdout, sys.stderr)
