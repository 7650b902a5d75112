"""`flowengine replay`: play recorded calls against another version of the flows."""

from __future__ import annotations

import argparse
import sys
import time


def configure(parser: argparse.ArgumentParser) -> None:
    from flowengine.history.cli import add_store_option

    parser.add_argument(
        "flows",
        metavar="FLOWS[@REVISION]",
        help="the flows to replay against: a folder, or a git revision of one "
        "(flows@main, flows@HEAD~1)",
    )
    add_store_option(parser)
    parser.add_argument("--flow", help="only calls that started in this flow")
    parser.add_argument(
        "--since", metavar="WHEN", help="calls started at or after (7d, 2026-11-01)"
    )
    parser.add_argument("--until", metavar="WHEN", help="calls started before")
    parser.add_argument("--limit", type=int, help="only the newest N calls")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fail-on-change", action="store_true", help="exit 1 when any call would change (for CI)"
    )


def fail(message: str, code: int = 2) -> int:
    print(f"flowengine replay: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    import tempfile

    from flowengine.history import replay_report
    from flowengine.history.cli import history_url, with_store
    from flowengine.history.record import Step
    from flowengine.history.replay import Outcome, replay_call
    from flowengine.history.stores import Filter, HistoryError, HistoryStore
    from flowengine.history.versions import VersionError, open_flows
    from flowengine.history.when import parse_when

    url = history_url(args)
    if url is None:
        return fail("no call history is kept here (FLOWENGINE_HISTORY=off or a memory:// store)")
    now = time.time()
    with tempfile.TemporaryDirectory(prefix="flowengine-replay-") as scratch:
        try:
            where = Filter(
                flow=args.flow,
                since=parse_when(args.since, now) if args.since else None,
                until=parse_when(args.until, now) if args.until else None,
                limit=args.limit,
            )
            flows = open_flows(args.flows, scratch)
        except (ValueError, VersionError) as exc:
            return fail(str(exc))

        async def work(store: HistoryStore) -> list[Outcome]:
            outcomes: list[Outcome] = []
            call: list[Step] = []
            async for step in store.steps(where):
                if call and step.sid != call[0].sid:
                    outcomes.append(replay_call(call, flows))
                    call = []
                call.append(step)
            if call:
                outcomes.append(replay_call(call, flows))
            return outcomes

        try:
            outcomes = with_store(url, work)
        except HistoryError as exc:
            return fail(str(exc), 1)
    for name, problem in sorted(flows.problems.items()):
        print(f"flowengine replay: flow {name} does not compile: {problem}", file=sys.stderr)
    render = replay_report.as_json if args.format == "json" else replay_report.text
    sys.stdout.write(render(outcomes, flows.label))
    changed = any(o.kind == "changed" for o in outcomes)
    return 1 if args.fail_on_change and changed else 0
