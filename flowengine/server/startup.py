"""What `flowengine serve` checks and says before uvicorn starts, the same for 1 or N workers.

Every check here runs in the parent process: a bad option is one clear error and exit 1,
never workers that uvicorn restarts, crashing, forever.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import anyio

from flowengine.server.config import ServerConfig
from flowengine.server.registry import Registry
from flowengine.server.stores import StoreError, open_store
from flowengine.server.stores.base import redact


def port_problem(host: str, port: int) -> str | None:
    """Why uvicorn could not listen on host:port, in one sentence naming the option."""
    if not 0 < port < 65536:
        return f"--port {port} is not a port: give a number from 1 to 65535"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"--host {host} is not an address of this machine: use 127.0.0.1 or 0.0.0.0"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is not reported busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another server?): stop it, "
                    f"or choose another port with --port (make serve PORT=...)"
                )
            if exc.errno == errno.EACCES:
                return (
                    f"not allowed to listen on port {port}: ports below 1024 need root; use "
                    "--port 8000 behind a reverse proxy (docs/deploy.md)"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"--host {host} is not an address of this machine"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def store_problem(url: str) -> str | None:
    """Open the session store and ping it once: a typo or a store that is down stops here."""

    async def check() -> str | None:
        try:
            store = open_store(url)
        except (StoreError, ValueError) as exc:
            return f"--store: {exc}"
        try:
            ok = await store.ping()
        except Exception as exc:  # any driver error means the same thing to the operator
            ok, detail = False, f" ({exc})"
        else:
            detail = ""
        finally:
            await store.close()
        if not ok:
            return f"the session store {url} does not answer{detail}: is it running?"
        return None

    try:
        result: str | None = anyio.run(check)
    except (StoreError, OSError) as exc:
        result = f"--store {url}: {exc}"
    # A store URL may carry a password (redis://:secret@host): never print it.
    return redact(result) if result else None


def summary(
    config: ServerConfig, registry: Registry, host: str, port: int, workers: int, origin: str = ""
) -> str:
    """The one line that says what is being served, where, and how."""
    flows = ", ".join(f"{g.name}@{g.version}" for g in sorted(registry.live.values(), key=_name))
    failed = f" ({len(registry.failures)} not loaded)" if registry.failures else ""
    public = config.public_url or "none (signatures checked against the request's URL)"
    signatures = "checked" if config.checks_signatures else "OFF (--insecure-dev)"
    plural = "worker" if workers == 1 else "workers"
    return (
        f"serving {flows}{failed} from {config.flows_dir.rstrip('/')}/{origin} on "
        f"http://{host}:{port}; "
        f"public URL {public}; store {redact(config.store_url)}; signatures {signatures}; "
        f"{workers} {plural}; reload {'on' if config.reload else 'off'}"
    )


def _name(graph: Any) -> str:
    return str(graph.name)
