"""`flowengine send FLOW [INPUT ...]`: post a call's webhooks to a running server, as Twilio.

Exit codes: 0 the call was played, 1 the server refused a request or an input did not fit,
2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

ENV_TOKEN = "TWILIO_AUTH_TOKEN"
ENV_PUBLIC_URL = "FLOWENGINE_PUBLIC_URL"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW", help="the flow's name, e.g. main")
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="what the caller does, in order: keys (1, 123#), speech:WORDS, silence, "
        "dial:busy, record:recorded, queue:bridged, hangup",
    )
    parser.add_argument(
        "--url",
        default="http://127.0.0.1:8000",
        help="where the server listens (default: http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help=f"the URL Twilio uses for the server, which is what gets signed, when a proxy "
        f"is in front (default: {ENV_PUBLIC_URL}, else --url)",
    )
    parser.add_argument("--from", dest="from_", default="+15551112222", metavar="NUMBER")
    parser.add_argument("--to", default="+15553334444", metavar="NUMBER")
    parser.add_argument(
        "--quiet", action="store_true", help="print only the requests, not the TwiML"
    )


def run(args: argparse.Namespace) -> int:
    from flowengine.send import Caller, Exchange, SendError, call, describe
    from flowengine.sim.caller_input import InputError

    token = os.environ.get(ENV_TOKEN, "").strip()
    public = args.public_url or os.environ.get(ENV_PUBLIC_URL, "").strip() or args.url
    if not args.url.startswith(("http://", "https://")):
        print(f"flowengine send: --url must start with http:// or https:// ({args.url!r})",
              file=sys.stderr)  # fmt: skip
        return 2
    if not token:
        print(
            f"flowengine send: {ENV_TOKEN} is not set, so the requests are unsigned: only a "
            "server run with --insecure-dev accepts them",
            file=sys.stderr,
        )
    caller = Caller.new(args.url, public, token, args.from_, args.to)

    def show(exchange: Exchange) -> None:
        asked = {k: v for k, v in exchange.fields.items() if k not in caller.base}
        shown = " ".join(f"{k}={v}" for k, v in asked.items())
        print(f"POST {exchange.url}" + (f"  {shown}" if shown else ""))
        if not args.quiet:
            for line in describe(exchange.twiml):
                print(f"  {line}")

    try:
        ended = call(caller, args.flow, args.inputs, show)
    except (SendError, InputError) as exc:
        print(f"flowengine send: {exc}", file=sys.stderr)
        return 1
    print("call ended" if ended else "the call waits for the next input")
    return 0
