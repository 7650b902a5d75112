"""Reload flows when their files change: a good file replaces the live flow atomically,
a bad one leaves the live flow serving and is reported (log and /healthz)."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
from anyio import to_thread
from watchfiles import Change, awatch

from flowengine.flow.files import flow_name
from flowengine.server.registry import Failure, Registry
from flowengine.server.stores import SessionStore

log = logging.getLogger("flowengine.reload")


def same_file(a: str | Path, b: str | Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


async def reload_paths(registry: Registry, store: SessionStore, paths: set[str]) -> None:
    for path in sorted(paths):
        name = flow_name(path)
        if name is None:
            continue
        if not Path(path).is_file():
            # The watcher reports absolute paths; the registry keeps them as the folder was
            # given (relative by default): compare the files, not the spellings.
            live = registry.live.get(name)
            failed = registry.failures.get(name)
            if live is not None and same_file(live.path, path):
                registry.remove(name)
                log.warning("flow %s removed: %s is gone; calls in progress keep it", name, path)
            elif failed is not None and same_file(failed.path, path):
                registry.failures.pop(name, None)
                log.warning("flow %s removed: %s is gone (it had failed to load)", name, path)
            continue
        # Compiling takes milliseconds of CPU: off the event loop, so requests keep flowing.
        result = await to_thread.run_sync(registry.compile, path)
        if isinstance(result, Failure):
            registry.apply(result)
            live = registry.live.get(name)
            still = f"version {live.version} keeps serving" if live else "not served"
            log.error(
                "flow %s failed to reload (%s):\n%s", name, still, "\n".join(result.describe())
            )
            continue
        previous = registry.live.get(result.name)
        if previous is not None and previous.version == result.version:
            registry.failures.pop(result.name, None)
            continue
        registry.install(result)
        await registry.publish(store, [result])
        old = previous.version if previous else "none"
        log.info("flow %s reloaded: version %s -> %s", result.name, old, result.version)


async def watch(
    registry: Registry, store: SessionStore, debounce_ms: int, stop: anyio.Event
) -> None:
    folder = str(registry.flows_dir)

    def wanted(change: Change, path: str) -> bool:
        return flow_name(path) is not None

    try:
        async for changes in awatch(
            folder,
            watch_filter=wanted,
            debounce=debounce_ms,
            step=50,
            stop_event=stop,
            recursive=False,
        ):
            try:
                await reload_paths(registry, store, {path for _, path in changes})
            except Exception:  # one bad batch must not stop every later reload
                log.exception("reloading %s failed; still watching", sorted(p for _, p in changes))
    except Exception:  # a broken watcher must not take the server down with it
        log.exception("watching %s stopped; flows will not reload until restart", folder)
