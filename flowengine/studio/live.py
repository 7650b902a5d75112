"""Server-sent events: one watcher on the flows folder, its changes fanned out to pages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from anyio.streams.memory import MemoryObjectSendStream
from watchfiles import awatch

from flowengine.flow.files import flow_name

HEARTBEAT_S = 15.0


class Changes:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.listeners: set[MemoryObjectSendStream[str]] = set()
        self.stop = anyio.Event()

    async def watch(self) -> None:
        def wanted(_: object, path: str) -> bool:
            return flow_name(path) is not None

        async for changes in awatch(
            self.folder, watch_filter=wanted, debounce=150, step=50, stop_event=self.stop
        ):
            names = sorted({Path(path).stem for _, path in changes})
            message = f"event: change\ndata: {json.dumps({'flows': names})}\n\n"
            for listener in list(self.listeners):
                try:
                    listener.send_nowait(message)
                except (anyio.WouldBlock, anyio.BrokenResourceError, anyio.ClosedResourceError):
                    self.listeners.discard(listener)

    def close(self) -> None:
        self.stop.set()
        for listener in list(self.listeners):
            listener.close()

    async def stream(self) -> AsyncIterator[str]:
        send, receive = anyio.create_memory_object_stream[str](16)
        self.listeners.add(send)
        try:
            yield "retry: 1000\nevent: ready\ndata: {}\n\n"
            while not self.stop.is_set():
                with anyio.move_on_after(HEARTBEAT_S) as scope:
                    try:
                        message = await receive.receive()
                    except anyio.EndOfStream:
                        return
                    yield message
                if scope.cancelled_caught:
                    yield ": still here\n\n"
        finally:
            self.listeners.discard(send)
            send.close()
            receive.close()
