"""`flowengine sms`: send a text message (with media, an MMS)."""

from __future__ import annotations

import argparse

from flowengine.commands.call import UsageError, deliver


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="NUMBER", help="recipient (E.164)")
    parser.add_argument(
        "--from", dest="from_", required=True, metavar="NUMBER", help="your number (E.164)"
    )
    parser.add_argument("--body", metavar="TEXT", help="the text of the message")
    parser.add_argument(
        "--media",
        metavar="URL",
        action="append",
        default=[],
        help="public URL of an image or file to attach (repeat for several)",
    )
    parser.add_argument(
        "--status-callback", metavar="URL", help="URL Twilio posts delivery status changes to"
    )


def run(args: argparse.Namespace) -> int:
    # Imported here so that `flowengine --help` does not load the twilio package.
    from flowengine.twilio import rest

    def send() -> str:
        to = rest.check_e164(args.to, "--to")
        from_ = rest.check_e164(args.from_, "--from")
        if not args.body and not args.media:
            raise UsageError("give --body, --media or both")
        return rest.send_message(
            rest.client_from_env(),
            to,
            from_,
            args.body or "",
            media_urls=args.media,
            status_callback=args.status_callback,
        )

    return deliver(send, "sms")
