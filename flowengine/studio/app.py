"""The studio's Starlette app: a declarative route list, a guard, and the watcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flowengine.studio import actions, history_pages, pages
from flowengine.studio.guard import Guard
from flowengine.studio.state import HERE, Studio, studio_from

__all__ = ["Studio", "create_app", "studio_from"]


def create_app(studio: Studio, access_token: str = "", hosts: tuple[str, ...] = ()) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(studio.changes.watch)
            yield
            studio.changes.close()
            tasks.cancel_scope.cancel()

    routes = [
        Route("/", pages.flows_page),
        Route("/flows.json", pages.flows_json),
        Route("/events", pages.events),
        Route("/flows/{name}.json", pages.flow_json),
        Route("/flows/{name}/traffic.json", history_pages.flow_traffic_json),
        Route("/flows/{name}", pages.flow_page),
        Route("/history/{sid}.json", history_pages.call_json),
        Route("/history/{sid}", pages.call_page),
        Route("/flows/{name}/calls", actions.start_call, methods=["POST"]),
        Route("/calls/{id}", actions.act, methods=["POST"]),
        Route("/calls/{id}/scenario", actions.save_scenario, methods=["POST"]),
        Route("/flows/{name}/preview", actions.preview, methods=["POST"]),
        Route("/flows/{name}/save", actions.save, methods=["POST"]),
        Route("/voice/token", actions.voice_token, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [Middleware(Guard, csrf=studio.csrf, access_token=access_token, hosts=hosts)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.studio = studio
    return app
