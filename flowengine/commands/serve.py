"""`flowengine serve`: the webhook server for Twilio, on uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "flows_dir", nargs="?", metavar="FLOWS_DIR", help="folder of flow files (default: flows)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    parser.add_argument(
        "--store",
        metavar="URL",
        help="session store: memory://, sqlite:///path.db (default sqlite:///flowengine.db), "
        "redis://host:port/db; or FLOWENGINE_STORE",
    )
    parser.add_argument(
        "--history",
        metavar="URL",
        help="call history: sqlite:///path.db (default: beside a SQLite session store, or "
        "sqlite:///flowengine-history.db), postgresql://user@host/db, or off; "
        "or FLOWENGINE_HISTORY",
    )
    parser.add_argument(
        "--history-days",
        type=float,
        metavar="DAYS",
        help="keep calls this many days (default 30; 0 keeps them forever); "
        "or FLOWENGINE_HISTORY_DAYS",
    )
    parser.add_argument(
        "--metrics",
        action="store_true",
        help="serve GET /metrics for Prometheus (FLOWENGINE_METRICS=1); with "
        "FLOWENGINE_METRICS_TOKEN set, scrapes must send it as a bearer token",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the https:// address Twilio uses to reach this server, when a proxy ends TLS "
        "(signatures are checked against it); or FLOWENGINE_PUBLIC_URL",
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (1)")
    parser.add_argument(
        "--trusted-proxies",
        metavar="IPS",
        help="addresses of your proxies, comma separated: only their X-Forwarded-For/-Proto "
        "headers are believed (default: nobody's); or FLOWENGINE_TRUSTED_PROXIES",
    )
    parser.add_argument(
        "--insecure-dev",
        action="store_true",
        help="run without TWILIO_AUTH_TOKEN and without checking signatures (development only)",
    )
    parser.add_argument(
        "--fallback-say", metavar="TEXT", help="what callers hear when something goes wrong"
    )
    parser.add_argument(
        "--fallback-dial",
        metavar="NUMBER",
        help="transfer callers to this number when something goes wrong (instead of hanging up)",
    )
    parser.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        help="info (default), or FLOWENGINE_LOG_LEVEL; debug shows callers' numbers in full",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="text (default) or json: one JSON object per line for log shippers; "
        "or FLOWENGINE_LOG_FORMAT",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="no log line for each answered webhook; fallbacks, refused requests and errors "
        "are still logged",
    )
    parser.add_argument(
        "--rev",
        metavar="REVISION",
        help="serve FLOWS_DIR as it is in this git revision (a tag, branch or commit), not "
        "the working files; implies --no-reload. Roll back by serving the previous one",
    )
    parser.add_argument(
        "--no-reload",
        action="store_true",
        help="serve the flows as they are at start-up; do not watch the folder for changes "
        "(or FLOWENGINE_RELOAD=0)",
    )


def build_config(args: argparse.Namespace, clock: Any = None) -> Any:
    from flowengine.server import config as cfg

    base = cfg.config_from_env()
    return cfg.ServerConfig(
        flows_dir=args.flows_dir or os.environ.get(cfg.ENV_FLOWS_DIR) or cfg.DEFAULT_FLOWS_DIR,
        store_url=args.store or base.store_url,
        auth_token=base.auth_token,
        public_url=args.public_url or base.public_url,
        insecure_dev=args.insecure_dev or base.insecure_dev,
        fallback_say=args.fallback_say if args.fallback_say is not None else base.fallback_say,
        fallback_dial=args.fallback_dial or base.fallback_dial,
        log_level=args.log_level or base.log_level,
        log_format=args.log_format or base.log_format,
        access_log=not args.no_access_log and base.access_log,
        reload=not args.no_reload and base.reload,
        clock=clock,
        health_token=base.health_token,
        trusted_proxies=args.trusted_proxies or base.trusted_proxies,
        history_url=args.history or base.history_url,
        history_days=args.history_days if args.history_days is not None else base.history_days,
        metrics=args.metrics or base.metrics,
        metrics_token=base.metrics_token,
        fetch_filler_after=base.fetch_filler_after,
        callback_every=base.callback_every,
        callback_retry_after=base.callback_retry_after,
        callback_max_wait=base.callback_max_wait,
    )


def fail(message: str) -> int:
    print(f"flowengine serve: {message}", file=sys.stderr)
    return 1


def uvicorn_options(host: str, port: int, log_level: str) -> dict[str, Any]:
    """What `flowengine serve` passes to uvicorn: the production stack, named explicitly."""
    from flowengine.server import stack

    return {
        "host": host,
        "port": port,
        "access_log": False,  # flowengine logs one line per webhook itself
        "log_level": log_level,
        **stack.uvicorn_options(),
    }


def run(args: argparse.Namespace, clock: Any = None) -> int:
    import atexit
    import dataclasses
    import shutil

    import uvicorn

    from flowengine.lint.runner import UsageError
    from flowengine.server import config as cfg
    from flowengine.server import create_app, load_registry, log_format, logs, revision, startup
    from flowengine.server.stores import StoreError, open_store, redact

    config = build_config(args, clock)
    problems = config.problems()
    if args.workers < 1:
        problems.append("--workers must be 1 or more")
    if args.workers > 1 and config.store_url.startswith("memory:"):
        problems.append("memory:// sessions are private to one process: use sqlite or redis")
    if problems:
        return fail("\n".join(problems))
    logs.setup(config.log_level, config.log_format)
    origin = ""
    if args.rev:
        try:
            exported = revision.export(args.rev, config.flows_dir)
        except revision.RevisionError as exc:
            return fail(str(exc))
        atexit.register(shutil.rmtree, os.path.dirname(exported.flows_dir), ignore_errors=True)
        origin = f" at git revision {args.rev} ({exported.commit[:12]})"
        config = dataclasses.replace(config, flows_dir=exported.flows_dir, reload=False)
    if not os.path.isdir(config.flows_dir):
        return fail(f"no flows folder {config.flows_dir!r}: give FLOWS_DIR or create ./flows")
    # Checked here, once, whatever the number of workers: uvicorn would otherwise restart
    # crashing workers forever, or print a traceback for a busy port.
    problem = startup.port_problem(args.host, args.port) or startup.store_problem(config.store_url)
    if problem:
        return fail(redact(problem))
    try:
        registry = load_registry(config)
    except UsageError as exc:  # the project's [tool.flowengine.lint] is wrong
        return fail(str(exc))
    # Printed before the server starts, so the operator sees what is refused and why
    # (the app's start-up logs it too, once in each worker).
    for failure in registry.failures.values():
        print(f"flow {failure.name} not loaded:", file=sys.stderr)
        for line in failure.describe():
            print(f"  {line}", file=sys.stderr)
    if not registry.live:
        return fail(f"no flow in {config.flows_dir} compiled; nothing to serve")
    logs.log.info(startup.summary(config, registry, args.host, args.port, args.workers, origin))
    options = uvicorn_options(args.host, args.port, config.log_level)
    # uvicorn believes X-Forwarded-* from 127.0.0.1 unless told otherwise: any local
    # process could then choose the URL signatures are checked against.
    options["proxy_headers"] = bool(config.trusted_proxies)
    options["forwarded_allow_ips"] = config.trusted_proxies or None
    options["log_config"] = (
        log_format.uvicorn_config(config.log_format) or uvicorn.config.LOGGING_CONFIG
    )
    logs.log.info("HTTP stack: uvicorn, loop=%s, http=%s", options["loop"], options["http"])
    if args.workers > 1:
        # Each worker builds its own app from the environment: every setting goes there.
        os.environ.update(
            {
                cfg.ENV_FLOWS_DIR: config.flows_dir,
                cfg.ENV_STORE: config.store_url,
                cfg.ENV_PUBLIC_URL: config.public_url,
                cfg.ENV_INSECURE: "1" if config.insecure_dev else "",
                cfg.ENV_FALLBACK_SAY: config.fallback_say,
                cfg.ENV_FALLBACK_DIAL: config.fallback_dial,
                cfg.ENV_LOG_LEVEL: config.log_level,
                cfg.ENV_LOG_FORMAT: config.log_format,
                cfg.ENV_ACCESS_LOG: "1" if config.access_log else "0",
                cfg.ENV_TRUSTED_PROXIES: config.trusted_proxies,
                cfg.ENV_RELOAD: "1" if config.reload else "0",
                cfg.ENV_HISTORY: config.history or "off",
                cfg.ENV_HISTORY_DAYS: str(config.history_days),
                cfg.ENV_METRICS: "1" if config.metrics else "",
                cfg.ENV_FETCH_FILLER_AFTER: str(config.fetch_filler_after),
                cfg.ENV_CALLBACK_EVERY: str(config.callback_every),
                cfg.ENV_CALLBACK_RETRY_AFTER: str(config.callback_retry_after),
                cfg.ENV_CALLBACK_MAX_WAIT: str(config.callback_max_wait),
            }
        )
        if config.metrics:
            from flowengine.metrics import multiprocess

            multiprocess.prepare()  # before any worker imports prometheus_client
        uvicorn.run("flowengine.server:app_from_env", factory=True, workers=args.workers, **options)
        return 0
    try:
        store = open_store(config.store_url)
    except (StoreError, ValueError) as exc:
        return fail(redact(str(exc)))
    uvicorn.run(create_app(config, registry, store), **options)
    return 0


def main(argv: Sequence[str] | None = None, clock: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="flowengine serve")
    configure(parser)
    return run(parser.parse_args(argv), clock)


if __name__ == "__main__":
    sys.exit(main())
