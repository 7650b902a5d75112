"""`flowengine call`: place an outbound call into a flow, or one that only speaks a text."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

from flowengine.flow import urls

PUBLIC_URL = "FLOWENGINE_PUBLIC_URL"


class UsageError(ValueError):
    pass


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="NUMBER", help="number to call (E.164)")
    parser.add_argument(
        "--from", dest="from_", required=True, metavar="NUMBER", help="your number (E.164)"
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("flow", nargs="?", metavar="FLOW", help="flow to run when answered")
    what.add_argument("--say", metavar="TEXT", help="only speak TEXT, then hang up")
    parser.add_argument("--state", help="start the flow at this state")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help=f"where Twilio reaches `flowengine serve` (default: ${PUBLIC_URL})",
    )
    parser.add_argument("--voice", help="voice for --say, e.g. Polly.Joanna")
    parser.add_argument("--language", help="language for --say, e.g. en-US")
    parser.add_argument(
        "--status-callback", metavar="URL", help="URL Twilio posts call status changes to"
    )


def run(args: argparse.Namespace) -> int:
    # Imported here so that `flowengine --help` does not load the twilio package.
    from flowengine.twilio import rest

    def place() -> str:
        to = rest.check_e164(args.to, "--to")
        from_ = rest.check_e164(args.from_, "--from")
        if args.say is not None:
            _only_with_flow(args, state="--state", public_url="--public-url")
            twiml = rest.check_twiml_length(rest.say_twiml(args.say, args.voice, args.language))
            return rest.start_call(
                rest.client_from_env(), to, from_, twiml=twiml, status_callback=args.status_callback
            )
        _only_with_say(args, voice="--voice", language="--language")
        url = flow_url(args.public_url or os.environ.get(PUBLIC_URL, ""), args.flow, args.state)
        return rest.start_call(
            rest.client_from_env(), to, from_, url=url, status_callback=args.status_callback
        )

    return deliver(place, "call")


def flow_url(public_url: str, flow: str, state: str | None = None) -> str:
    """The voice entry of `flow` on the public server, as the web app routes it."""
    public_url = public_url.strip()
    if not public_url:
        raise UsageError(
            f"calling into a flow needs the public URL of `flowengine serve`: set {PUBLIC_URL} "
            "or pass --public-url (Twilio fetches the flow from URL/voice/FLOW)"
        )
    base = urlsplit(public_url)
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        raise UsageError(f"the public URL must be an http(s) URL without a query: {public_url!r}")
    return urls.entry(public_url.rstrip("/"), flow, state)


def _only_with_flow(args: argparse.Namespace, **flags: str) -> None:
    for attr, flag in flags.items():
        if getattr(args, attr) is not None:
            raise UsageError(f"{flag} applies to calls into a flow, not to --say")


def _only_with_say(args: argparse.Namespace, **flags: str) -> None:
    for attr, flag in flags.items():
        if getattr(args, attr) is not None:
            raise UsageError(f"{flag} applies to --say only (a flow sets its own voice)")


def deliver(send: Callable[[], str], command: str) -> int:
    """Run one REST request for a CLI command: print the SID, or the error and its exit code."""
    from flowengine.twilio.rest import ApiError, ConfigError

    try:
        sid = send()
    except (ConfigError, ValueError) as exc:
        # Nothing was sent: the command line or the environment needs fixing.
        print(f"flowengine {command}: error: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"flowengine {command}: error: {exc}", file=sys.stderr)
        if exc.more_info:
            print(f"more info: {exc.more_info}", file=sys.stderr)
        return 1
    print(sid)
    return 0
