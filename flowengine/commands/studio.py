"""`flowengine studio`: the browser workbench, on uvicorn."""

from __future__ import annotations

import argparse
import os
import sys

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "flows_dir",
        nargs="?",
        default="flows",
        metavar="FLOWS_DIR",
        help="folder of flow files (default: flows)",
    )
    parser.add_argument("--port", type=int, default=8700, help="port to listen on (8700)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (127.0.0.1); any other needs FLOWENGINE_STUDIO_TOKEN",
    )
    parser.add_argument(
        "--scenarios",
        metavar="DIR",
        help="where calls saved as scenarios go (default: scenarios/ beside FLOWS_DIR)",
    )
    from flowengine.history.cli import add_store_option

    add_store_option(parser)  # --history URL, --store URL: the traffic shown on the diagram


def address(host: str, port: int) -> str:
    """The address to open: the one listened on (an IPv6 one in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from flowengine.history.cli import history_url
    from flowengine.studio.app import create_app
    from flowengine.studio.state import ENV_TOKEN, studio_from
    from flowengine.studio.traffic import available

    if not os.path.isdir(args.flows_dir):
        print(f"flowengine studio: no flows folder {args.flows_dir!r}", file=sys.stderr)
        return 1
    token = os.environ.get(ENV_TOKEN, "")
    hosts: tuple[str, ...] = ()
    if args.host not in LOOPBACK:
        if len(token) < 16:
            print(
                f"flowengine studio: listening on {args.host} lets others in: set {ENV_TOKEN} "
                "to a secret of 16 characters or more first",
                file=sys.stderr,
            )
            return 1
        hosts = ("*",)  # the token guards it; any name the machine is reached by will do
    app = create_app(
        studio_from(args.flows_dir, args.scenarios, available(history_url(args))),
        access_token=token,
        hosts=hosts,
    )
    suffix = "/?token=..." if token and hosts else "/"
    print(
        f"flowengine studio: {address(args.host, args.port)}{suffix} ({args.flows_dir})", flush=True
    )
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=1
    )
    return 0
