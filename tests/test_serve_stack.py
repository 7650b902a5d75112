"""`flowengine serve` runs on the production stack: uvloop and httptools, named explicitly."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from flowengine.commands.serve import uvicorn_options
from flowengine.server import stack
from tests.conftest import ServerProcess, free_port

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def test_installing_flowengine_brings_uvloop_and_httptools() -> None:
    # uvicorn[standard] is the dependency; uvloop has no Windows build.
    assert importlib.util.find_spec("httptools") is not None
    if sys.platform != "win32":
        assert importlib.util.find_spec("uvloop") is not None


def test_serve_names_uvloop_and_httptools_for_uvicorn() -> None:
    options = uvicorn_options("127.0.0.1", 8000, "info")
    expected_loop = "asyncio" if sys.platform == "win32" else "uvloop"
    assert options["loop"] == expected_loop
    assert options["http"] == "httptools"
    config = uvicorn.Config(lambda: None, **options)
    config.load()
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert config.http_protocol_class is HttpToolsProtocol
    assert stack.describe() == f"uvicorn, loop={expected_loop}, http=httptools"


async def report_stack(scope: Scope, receive: Receive, send: Send) -> None:
    """A tiny ASGI app that answers with the class of the loop it runs on."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    loop = type(asyncio.get_running_loop())
    body = f"{loop.__module__}.{loop.__qualname__}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build")
def test_a_server_started_with_serves_options_runs_on_uvloop() -> None:
    port = free_port()
    options = uvicorn_options("127.0.0.1", port, "warning")
    server = uvicorn.Server(uvicorn.Config(report_stack, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert answer.status_code == 200
        assert answer.text.startswith("uvloop"), answer.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_flowengine_serve_loads_uvloop_and_httptools(
    flows_dir: Path, tmp_path: Path, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/s.db")
    # A webhook went through the server (the readiness probe), so both are in use.
    maps = Path(f"/proc/{server.process.pid}/maps").read_text()
    assert "/uvloop/loop." in maps
    assert "/httptools/parser/parser." in maps
    assert "HTTP stack: uvicorn, loop=uvloop, http=httptools" in server.log.read_text()
