"""Sections of issue 16: `--workers 2` against one worker, and granian against uvicorn.

Both drive their targets the same way as the main table (sections.drive: new calls,
signed, rounds taking turns), so their ratios come from one run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from common import ENTRY_PATH
from sections import (
    REDIS_URL,
    LoadRun,
    Options,
    clean_redis,
    drive,
    not_available,
    redis_reachable,
    start_all,
    stop_all,
)
from servers import (
    EngineCli,
    Server,
    Unavailable,
    engine_env,
    start_engine,
    start_floor,
    start_granian,
    with_workers,
)


def workers_comparison(opts: Options, engine: EngineCli) -> dict[str, LoadRun]:
    """The engine with 1 and with 2 workers, on SQLite and on Redis."""
    stores = {"sqlite": f"sqlite:///{opts.workdir}/workers-{{n}}.db"}
    reason = redis_reachable()
    if reason:
        not_available("redis store", reason)
    else:
        stores["redis"] = REDIS_URL
    starters: dict[str, Callable[[], Server]] = {}
    try:
        for label, url in stores.items():
            for n in (1, 2):
                name = f"{label}-w{n}"
                starters[name] = partial(
                    start_engine,
                    with_workers(engine, n),
                    opts.flows,
                    url.format(n=n),
                    opts.workdir,
                    name=name,
                )
    except Unavailable as exc:
        not_available("--workers", str(exc))
        return {}
    servers: dict[str, Server] = {}
    try:
        start_all(starters, servers)
        return drive(servers, opts, ENTRY_PATH) if servers else {}
    finally:
        stop_all(servers)
        clean_redis()


def granian_comparison(opts: Options, engine: EngineCli | None) -> dict[str, LoadRun]:
    """The floor and the engine, each under uvicorn and under granian (one worker each)."""
    starters: dict[str, Callable[[], Server]] = {
        "floor-uvicorn": partial(start_floor, opts.workdir),
        "floor-granian": partial(
            start_granian, opts.workdir, "floor-granian", "floor_app:app", {}, False
        ),
    }
    if engine is not None:
        uvi_store = f"sqlite:///{opts.workdir}/uvicorn.db"
        gra_store = f"sqlite:///{opts.workdir}/granian.db"
        starters["engine-uvicorn"] = partial(
            start_engine, engine, opts.flows, uvi_store, opts.workdir, name="engine-uvicorn"
        )
        starters["engine-granian"] = partial(
            start_granian,
            opts.workdir,
            "engine-granian",
            "flowengine.server:app_from_env()",
            engine_env(opts.flows, gra_store),
            True,
            "FLOWENGINE_PUBLIC_URL",
        )
    servers: dict[str, Server] = {}
    try:
        start_all(starters, servers)
        return drive(servers, opts, ENTRY_PATH) if servers else {}
    finally:
        stop_all(servers)
