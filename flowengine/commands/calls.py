"""`flowengine calls`: the call history (list, show one call, purge old calls)."""

from __future__ import annotations

import argparse
import sys
import time


def configure(parser: argparse.ArgumentParser) -> None:
    from flowengine.history.cli import add_store_option

    add_store_option(parser)
    parser.add_argument("--flow", help="only calls into this flow")
    parser.add_argument("--caller", metavar="NUMBER", help="only calls from this number")
    parser.add_argument("--outcome", help="only calls that ended this way (e.g. caller-hung-up)")
    parser.add_argument("--since", metavar="WHEN", help="started at or after (2026-11-23, 24h, 7d)")
    parser.add_argument("--until", metavar="WHEN", help="started before")
    parser.add_argument("--limit", type=int, default=50, help="at most this many calls (50)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    show = sub.add_parser("show", help="one call as a transcript")
    show.add_argument("sid", metavar="CALLSID")
    show.add_argument("--format", choices=("text", "json"), default="text")
    purge = sub.add_parser("purge", help="delete calls older than the retention")
    purge.add_argument(
        "--older-than",
        metavar="DAYS",
        type=float,
        help="days to keep (default: FLOWENGINE_HISTORY_DAYS, or 30)",
    )


def fail(message: str, code: int = 2) -> int:
    print(f"flowengine calls: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    import json

    from flowengine.history import listing, transcript
    from flowengine.history.cli import history_days, history_url, with_store
    from flowengine.history.stores import Filter, HistoryError
    from flowengine.history.when import parse_when

    url = history_url(args)
    if url is None:
        return fail("no call history is kept here (FLOWENGINE_HISTORY=off or a memory:// store)")
    try:
        if args.action == "show":
            call = with_store(url, lambda store: store.call(args.sid))
            if call is None:
                return fail(f"no call {args.sid} in {url}", 1)
            if args.format == "json":
                print(json.dumps(call.to_dict(), indent=2))
            else:
                print("\n".join(transcript.show(call)))
            return 0
        if args.action == "purge":
            days = args.older_than if args.older_than is not None else history_days()
            if days <= 0:
                return fail("give --older-than DAYS (more than 0)")
            before = time.time() - days * 86400
            removed = with_store(url, lambda store: store.purge(before))
            print(f"removed {removed} call(s) started before {transcript.when(before)}")
            return 0
        now = time.time()
        where = Filter(
            flow=args.flow,
            caller=args.caller,
            outcome=args.outcome,
            since=parse_when(args.since, now) if args.since else None,
            until=parse_when(args.until, now) if args.until else None,
            limit=args.limit,
        )
        calls = with_store(url, lambda store: store.calls(where))
    except ValueError as exc:
        return fail(str(exc))
    except HistoryError as exc:
        return fail(str(exc), 1)
    sys.stdout.write(listing.as_json(calls) if args.format == "json" else listing.text(calls))
    return 0
