"""The Starlette application: a declarative route list, and startup/shutdown in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from flowengine.flow import urls
from flowengine.server import callbacks, logs, recordings
from flowengine.server.calls import Calls
from flowengine.server.config import ServerConfig, config_from_env
from flowengine.server.fallback import Fallbacks
from flowengine.server.health import Monitor, may_see_details
from flowengine.server.registry import Registry
from flowengine.server.signature import SignatureCheck
from flowengine.server.stores import SessionStore, open_store
from flowengine.server.texts import TextSender
from flowengine.server.watch import watch
from flowengine.server.webhook import Webhook

log = logging.getLogger("flowengine.server")

INSECURE_WARNING = (
    "SIGNATURE CHECKS ARE OFF (--insecure-dev): anyone who can reach this server can "
    "drive its calls. Never run like this where the internet can reach it."
)


# How long /healthz waits for the store's answer before calling it unreachable.
HEALTH_STORE_SECONDS = 3.0


class NoFlowsError(RuntimeError):
    """Not one flow in the folder compiled: there is nothing to serve."""


def load_registry(config: ServerConfig) -> Registry:
    registry = Registry(config.flows_dir, url_prefix=config.url_prefix)
    registry.load_all()
    return registry


def create_app(
    config: ServerConfig,
    registry: Registry | None = None,
    store: SessionStore | None = None,
) -> Starlette:
    """The app for `config`; pass an already loaded registry or open store to reuse them."""
    registry = registry if registry is not None else load_registry(config)
    if not registry.live:
        problems = [line for f in registry.failures.values() for line in f.describe()]
        raise NoFlowsError(f"no flow in {config.flows_dir} compiled:\n" + "\n".join(problems))
    store = store if store is not None else open_store(config.store_url)
    calls = Calls(config, registry, store, TextSender(store, config.cas_attempts))
    observers = calls.observers
    history = None
    if config.history is not None:
        from flowengine.history.service import History

        history = History.open(config.history, registry.known, store.ttl, config.history_days)
        observers.all.append(history.observer)
    metrics = None
    if config.metrics:
        from flowengine.metrics.service import Metrics

        writer = history.writer if history is not None else None
        metrics = Metrics(registry.known, config.metrics_token, writer)
        observers.all.append(metrics.observer)
    fallbacks = Fallbacks(config.fallback_say, config.fallback_dial)
    signature = SignatureCheck(config.auth_token, config.public_url)
    check = signature if config.checks_signatures else None
    if check is None:
        log.warning(INSECURE_WARNING)

    monitor = Monitor()

    def hook(route: str, handler: Any, fallback: str) -> Webhook:
        return Webhook(
            route,
            handler,
            fallback,
            check,
            config.max_body,
            config.access_log,
            monitor,
            observers,
        )

    async def healthz(request: Request) -> JSONResponse:
        # Bounded like a webhook: a hung store makes the answer "degraded", never a hang.
        store_ok = False
        with anyio.move_on_after(HEALTH_STORE_SECONDS):
            store_ok = await store.ping()
        problems = monitor.problems(store_ok is True, check is None)
        status = "degraded" if problems else "ok"
        code = 503 if problems else 200
        client = request.client.host if request.client else None
        if not may_see_details(client, request.headers.get("authorization"), config.health_token):
            return JSONResponse({"status": status}, status_code=code)
        body = {
            "status": status,
            "problems": problems,
            # The last good version of a failed flow keeps serving: no reason to leave the
            # rotation (every host would, for the same typo).
            "warnings": [f"flow {name} failed to load" for name in sorted(registry.failures)]
            + monitor.warnings(),
            **registry.health(),
            "store": {"backend": config.store_url.split(":", 1)[0], "ok": store_ok is True},
            "signatures": "checked" if check is not None else "OFF (insecure dev mode)",
            **monitor.details(),
        }
        return JSONResponse(body, status_code=code)

    routes = [
        Route(
            urls.VOICE_ENTRY, hook("voice", calls.voice_entry, fallbacks.voice), methods=["POST"]
        ),
        Route(
            urls.VOICE_CALLBACK,
            hook("callback", calls.voice_callback, fallbacks.voice),
            methods=["POST"],
        ),
        Route(urls.WAIT, hook("wait", calls.wait, fallbacks.wait), methods=["POST"]),
        Route(urls.SMS, hook("sms", calls.sms, fallbacks.sms), methods=["POST"]),
        Route(urls.STATUS, hook("status", calls.status, fallbacks.status), methods=["POST"]),
        Route(
            urls.TRANSCRIPTION,
            hook("transcription", calls.transcription, fallbacks.status),
            methods=["POST"],
        ),
        Route(
            urls.RECORDING,
            hook("recording", recordings.handler(calls), fallbacks.status),
            methods=["POST"],
        ),
        Route(
            callbacks.ROUTE,
            hook("callback-status", calls.callbacks.status, fallbacks.status),
            methods=["POST"],
        ),
        Route(
            urls.DEQUEUED,
            hook("dequeued", calls.callbacks.dequeued_hook, fallbacks.status),
            methods=["POST"],
        ),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", metrics.route, methods=["GET"]))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await registry.publish(store)
        for name, failure in sorted(registry.failures.items()):
            log.error("flow %s not loaded:\n%s", name, "\n".join(failure.describe()))
        log.info(
            "serving flows %s",
            ", ".join(f"{g.name}@{g.version}" for g in registry.live.values()),
        )
        # Compiled flows are long-lived: move them out of the collector's sight so that
        # collections during requests only walk what requests allocate (shorter pauses).
        gc.collect()
        gc.freeze()
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            if config.reload:
                tasks.start_soon(watch, registry, store, config.reload_debounce_ms, stop)
            if history is not None:
                tasks.start_soon(history.run)
            tasks.start_soon(calls.callbacks.run, stop)
            try:
                yield
            finally:
                stop.set()
                if history is not None:
                    await history.close()
        await calls.effects.fetcher.close()
        await store.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.registry = registry
    app.state.store = store
    app.state.history = history
    app.state.metrics = metrics
    return app


def app_from_env() -> Starlette:
    """Factory for uvicorn's worker processes (--workers N): settings from the environment."""
    config = config_from_env()
    logs.setup(config.log_level, config.log_format)
    problems = config.problems()
    for problem in problems:
        log.error(problem)
    if problems:
        raise SystemExit(1)
    return create_app(config)
