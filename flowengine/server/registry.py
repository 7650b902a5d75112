"""The loaded flows by name and version; reload that keeps the last good version.

The live table maps a flow name to the graph new calls start on. Every version a call
may still be on stays reachable by (name, version): in memory while it was used
recently, and otherwise rebuilt from the source the store keeps, so that another server
process (sharing Redis) can serve a version it never loaded from disk itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anyio import to_thread

from flowengine.diagnostics import Diagnostic, FlowError
from flowengine.flow import codes
from flowengine.flow.compiler import compile_source
from flowengine.flow.files import flow_files, flow_name
from flowengine.flow.graph import Graph
from flowengine.lint.gate import Gate
from flowengine.lint.project import Project
from flowengine.server.stores import DEFAULT_TTL_SECONDS, SessionStore, StoreError

log = logging.getLogger("flowengine.server.registry")


@dataclass(frozen=True)
class Failure:
    """A flow file that did not compile; the live version (if any) keeps serving."""

    name: str
    path: str
    diagnostics: tuple[Diagnostic, ...]
    at: float

    def describe(self) -> list[str]:
        return [str(d) for d in self.diagnostics]


def compile_file(
    path: str | Path,
    environ: Mapping[str, str],
    url_prefix: str,
    project: Project | None = None,
    gate: Gate | None = None,
) -> Graph | Failure:
    """Read, compile and check one flow file (no shared state: safe in a worker thread)."""
    name = flow_name(path) or Path(path).stem
    try:
        return (gate or Gate()).load(path, environ, url_prefix, project)
    except FlowError as exc:
        return Failure(name, str(path), tuple(exc.diagnostics), time.time())
    except Exception as exc:  # a compiler bug must not take the server (or a reload) down
        log.exception("compiling %s failed unexpectedly", path)
        problem = Diagnostic(str(path), 1, 1, *codes.UNREADABLE, f"cannot compile: {exc!r}")
        return Failure(name, str(path), (problem,), time.time())


class Registry:
    def __init__(
        self,
        flows_dir: str | Path,
        environ: Mapping[str, str] | None = None,
        url_prefix: str = "",
        keep_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        gate: Gate | None = None,
    ) -> None:
        self.flows_dir = Path(flows_dir)
        # The project's lint configuration decides what is refused (read once, at start).
        self.gate = Gate.for_folder(self.flows_dir) if gate is None else gate
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.url_prefix = url_prefix
        self.keep_seconds = keep_seconds
        self._clock = clock
        self.live: dict[str, Graph] = {}
        self.failures: dict[str, Failure] = {}
        self._versions: dict[tuple[str, str], Graph] = {}
        self._used: dict[tuple[str, str], float] = {}
        self._rebuilds: dict[tuple[str, str], asyncio.Future[Graph | None]] = {}
        # Per flow: when its live version went live (wall clock) and the version before it,
        # so an operator can see what changed when, and what a rollback would bring back.
        self._since: dict[str, tuple[float, str | None]] = {}

    # -- loading ---------------------------------------------------------------------------

    def files(self) -> list[Path]:
        return list(flow_files(self.flows_dir).values())

    def load_all(self) -> None:
        """Compile every flow file in the folder (at startup)."""
        project = Project()  # the folder's flows, read once for the checks that look across
        for path in self.files():
            self.apply(compile_file(path, self.environ, self.url_prefix, project, self.gate))

    def compile(self, path: str | Path) -> Graph | Failure:
        return compile_file(path, self.environ, self.url_prefix, gate=self.gate)

    def apply(self, result: Graph | Failure) -> Graph | None:
        """Install a compiled graph, or record a failure and keep the live version."""
        if isinstance(result, Failure):
            self.failures[result.name] = result
            return None
        self.install(result)
        return result

    def install(self, graph: Graph) -> None:
        name = graph.name
        previous = self.live.get(name)
        now = self._clock()
        if previous is not None:
            self._used[(name, previous.version)] = now  # calls on it keep it alive from now
        self._versions[(name, graph.version)] = graph
        if previous is None or previous.version != graph.version:
            self._since[name] = (time.time(), None if previous is None else previous.version)
        self.live = {**self.live, name: graph}  # one assignment: readers see old or new
        self.failures.pop(name, None)
        self._prune(now)

    def remove(self, name: str) -> None:
        """The file is gone: no new calls, but calls in progress keep their version."""
        graph = self.live.get(name)
        if graph is not None:
            self._used[(name, graph.version)] = self._clock()
            self.live = {k: v for k, v in self.live.items() if k != name}
        self.failures.pop(name, None)

    def _prune(self, now: float) -> None:
        current = {(g.name, g.version) for g in self.live.values()}
        for key in list(self._versions):
            if key not in current and now - self._used.get(key, now) > self.keep_seconds:
                del self._versions[key]
                self._used.pop(key, None)

    # -- lookups (the hot path: dict reads only) --------------------------------------------

    def current(self, name: str) -> Graph | None:
        return self.live.get(name)

    def known(self, name: str, version: str) -> Graph | None:
        key = (name, version)
        graph = self._versions.get(key)
        if graph is not None and key in self._used:
            self._used[key] = self._clock()
        return graph

    async def version(self, name: str, version: str, store: SessionStore) -> Graph | None:
        """The graph a call started on: in memory, or rebuilt from the store's copy.

        Rebuilding compiles in a worker thread, so other calls are answered meanwhile;
        requests that want the same version at the same time share one rebuild.
        """
        graph = self.known(name, version)
        if graph is not None:
            return graph
        key = (name, version)
        rebuild = self._rebuilds.get(key)
        if rebuild is None:
            rebuild = asyncio.ensure_future(self._rebuild(name, version, store))
            self._rebuilds[key] = rebuild
            rebuild.add_done_callback(lambda _: self._rebuilds.pop(key, None))
        # Shielded: a caller hanging up must not cancel the rebuild the others wait for.
        return await asyncio.shield(rebuild)

    async def _rebuild(self, name: str, version: str, store: SessionStore) -> Graph | None:
        source = await store.load_flow_source(name, version)
        if source is None:
            return None
        path = str(self.flows_dir / f"{name}.yaml")
        try:
            graph = await to_thread.run_sync(
                compile_source, source, path, self.environ, self.url_prefix
            )
        except FlowError as exc:
            log.error("stored flow %s version %s no longer compiles: %s", name, version, exc)
            return None
        if graph.version != version:
            # Settings come from this process's environment; serve the stored flow anyway.
            log.warning(
                "flow %s version %s rebuilt as %s (environment differs)",
                name,
                version,
                graph.version,
            )
        key = (name, version)
        self._versions[key] = graph
        self._used[key] = self._clock()
        return graph

    async def publish(self, store: SessionStore, graphs: list[Graph] | None = None) -> None:
        """Keep the sources of live versions in the store for the other processes."""
        for graph in self.live.values() if graphs is None else graphs:
            try:
                await store.save_flow_source(graph.name, graph.version, graph.source)
            except StoreError as exc:
                log.warning("could not save flow %s source to the store: %s", graph.name, exc)

    # -- reporting -------------------------------------------------------------------------

    def versions_in_memory(self, name: str) -> list[str]:
        return sorted(v for (n, v) in self._versions if n == name)

    def _live_since(self, name: str) -> dict[str, Any]:
        since, previous = self._since.get(name, (None, None))
        if since is None:
            return {}
        stamp = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds")
        return {"live_since": stamp, "previous_version": previous}

    def health(self) -> dict[str, Any]:
        return {
            "flows": {
                name: {
                    "version": g.version,
                    "channel": g.channel,
                    "path": g.path,
                    "versions": self.versions_in_memory(name),
                    **self._live_since(name),
                }
                for name, g in sorted(self.live.items())
            },
            "failed": {
                name: {"path": f.path, "diagnostics": f.describe()}
                for name, f in sorted(self.failures.items())
            },
        }
