"""The studio's Starlette app: a declarative route list, a guard, and shared state."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from flowengine.flow import urls
from flowengine.sim.simulate import Flows
from flowengine.studio import actions, pages
from flowengine.studio.guard import Guard
from flowengine.studio.live import Changes
from flowengine.studio.trial import Trials
from flowengine.studio.voice import VoiceConfig
from flowengine.studio.workspace import Workspace

HERE = Path(__file__).parent
ENV_TOKEN = "FLOWENGINE_STUDIO_TOKEN"
ENV_PUBLIC_URL = "FLOWENGINE_PUBLIC_URL"  # the server's public address, for entry URLs


@dataclass
class Studio:
    workspace: Workspace
    scenarios_dir: Path
    public_url: str = ""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    trials: Trials = field(init=False)
    changes: Changes = field(init=False)

    def __post_init__(self) -> None:
        self.trials = Trials(Flows(self.workspace.root))
        self.changes = Changes(self.workspace.root)

    def entry_url(self, name: str, channel: str | None) -> str:
        """What to paste in the Twilio console: the number's Voice or Messaging webhook."""
        base = self.public_url.rstrip("/") or "https://YOUR-SERVER"
        return base + (urls.SMS if channel == "sms" else urls.VOICE_ENTRY).format(flow=name)


templates = Jinja2Templates(directory=str(HERE / "templates"))


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
        Route("/flows/{name}", pages.flow_page),
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


def studio_from(folder: str, scenarios: str | None = None) -> Studio:
    scenarios_dir = Path(scenarios) if scenarios else Path(folder).resolve().parent / "scenarios"
    return Studio(
        Workspace(folder),
        scenarios_dir.resolve(),
        public_url=os.environ.get(ENV_PUBLIC_URL, ""),
        voice=VoiceConfig.from_env(),
    )
