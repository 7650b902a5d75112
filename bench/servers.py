"""Start, probe and stop the benchmark targets: one process each on a free loopback port."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import AUTH_TOKEN, BENCH, HOST, REPO, tool
from signing import SignedRequest


class Unavailable(Exception):
    """A target or tool cannot run here; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def stack_flags() -> list[str]:
    """uvicorn's --loop/--http as `flowengine serve` picks them (flowengine.server.stack)."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return ["--loop", loop, "--http", http]


def uvicorn_stack() -> str:
    flags = stack_flags()
    return f"uvicorn loop={flags[1]} http={flags[3]}"


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    log: Path
    process: subprocess.Popen[bytes]
    pid_for_memory: int = 0
    checks_signatures: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join("    | " + line for line in text[-lines:])

    def stop(self) -> None:
        if not self.alive():
            return
        # Our child leads its own process group (gunicorn's worker is in it too).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def _launch(name: str, command: list[str], port: int, workdir: Path, env: dict[str, str]) -> Server:
    log = workdir / f"{name}.log"
    full_env = {**os.environ, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(name, command, port, log, process, pid_for_memory=process.pid)


def wait_ready(server: Server, timeout: float = 30.0) -> None:
    """Wait until the port accepts connections; raise Unavailable if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise Unavailable(
                f"{server.name} exited with code {server.process.returncode}:\n{server.log_tail()}"
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, server.port), 0.2):
            return
        time.sleep(0.1)
    server.stop()
    raise Unavailable(f"{server.name} did not listen on port {server.port} in {timeout:.0f} s")


def post(server: Server, request: SignedRequest, timeout: float = 10.0) -> tuple[int, str]:
    """Send one signed webhook; return (status, body)."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        conn.request("POST", request.path, body=request.body, headers=request.headers)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants still alive, from /proc."""
    total = 0.0
    for one in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def descendants(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        out += [child, *descendants(child)]
    return out


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


# -- the floor -------------------------------------------------------------------


def start_uvicorn(workdir: Path, name: str, app: str, checks_signatures: bool = True) -> Server:
    """A bench/ app under uvicorn, on the stack `flowengine serve` uses, one process."""
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("starlette") is None:
        raise Unavailable("uvicorn/starlette not installed (pip install -e .)")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(BENCH),
        "--host",
        HOST,
        "--port",
        str(port),
        *stack_flags(),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = _launch(name, command, port, workdir, {})
    server.checks_signatures = checks_signatures
    wait_ready(server)
    return server


def start_floor(workdir: Path) -> Server:
    return start_uvicorn(workdir, "floor", "floor_app:app", checks_signatures=False)


def start_starlette_peer(workdir: Path) -> Server:
    if importlib.util.find_spec("twilio") is None:
        raise Unavailable("twilio not installed (pip install -e .)")
    return start_uvicorn(workdir, "starlette", "starlette_app:app")


def start_granian(
    workdir: Path,
    name: str,
    app: str,
    env: dict[str, str],
    checks_signatures: bool = True,
    public_url_env: str = "",
) -> Server:
    """An ASGI app under granian (one worker, uvloop, no access log): the evaluation."""
    granian = tool("granian")
    if granian is None:
        raise Unavailable("granian not installed (pip install -e '.[bench]')")
    port = free_port()
    command = [
        granian,
        "--interface",
        "asgi",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "--no-access-log",
        "--log-level",
        "warning",
        "--working-dir",
        str(BENCH),
    ]
    if app.endswith("()"):
        command += ["--factory"]
        app = app[:-2]
    if public_url_env:
        env = {**env, public_url_env: f"http://{HOST}:{port}"}
    server = _launch(name, [*command, app], port, workdir, env)
    server.checks_signatures = checks_signatures
    wait_ready(server, timeout=60)
    time.sleep(0.5)  # granian's worker process starts after its listener binds
    kids = children(server.process.pid)
    if kids:
        server.pid_for_memory = kids[0]  # the worker serves; the parent supervises
    return server


# -- the Flask handler -------------------------------------------------------------


def start_flask(
    workdir: Path,
    sqlite_mode: str = "per-request",
    name: str = "flask",
    app: str = "flask_app:app",
) -> Server:
    gunicorn = tool("gunicorn")
    missing = [m for m in ("flask", "twilio") if importlib.util.find_spec(m) is None]
    if gunicorn is None:
        missing.append("gunicorn")
    if missing or gunicorn is None:
        raise Unavailable(f"missing {', '.join(missing)} (pip install -e '.[bench]')")
    port = free_port()
    command = [
        gunicorn,
        "--chdir",
        str(BENCH),
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        app,
    ]
    env = {"BENCH_FLASK_DB": str(workdir / "flask.db"), "BENCH_FLASK_SQLITE": sqlite_mode}
    server = _launch(name, command, port, workdir, env)
    wait_ready(server)
    # Memory and CPU are the worker's; the gunicorn master only supervises.
    time.sleep(0.3)
    kids = children(server.process.pid)
    if kids:
        server.pid_for_memory = kids[0]
    return server


# -- the engine --------------------------------------------------------------------


@dataclass
class EngineCli:
    """What `flowengine serve --help` offers; the harness adapts to it."""

    executable: list[str]
    store_flag: str
    has_public_url: bool
    has_host: bool
    extra_flags: list[str]


def flowengine_command() -> list[str]:
    """How to run flowengine: $BENCH_FLOWENGINE (to measure another build), else the venv's."""
    override = os.environ.get("BENCH_FLOWENGINE")
    if override:
        return shlex.split(override)
    exe = tool("flowengine")
    return [exe] if exe else [sys.executable, "-m", "flowengine"]


def _help(command: str) -> tuple[list[str], str]:
    """(how to run flowengine, the help text of `flowengine COMMAND`), or Unavailable."""
    executable = flowengine_command()
    try:
        result = subprocess.run(
            [*executable, command, "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"`flowengine {command} --help` could not run: {exc}") from exc
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        reason = lines[-1] if lines else f"exit code {result.returncode}"
        raise Unavailable(f"`flowengine {command} --help` failed: {reason}")
    return executable, result.stdout


def probe_lint() -> list[str]:
    """How to run `flowengine lint` (it may exist before `flowengine serve` does)."""
    return _help("lint")[0]


def probe_engine() -> EngineCli:
    """Raise Unavailable (with the reason) unless `flowengine serve` can run."""
    executable, text = _help("serve")
    flags = set(re.findall(r"--[a-z][a-z0-9-]*", text))
    if "--port" not in flags:
        raise Unavailable("`flowengine serve` has no --port option")
    store_flag = next((f for f in ("--store", "--sessions") if f in flags), "")
    if not store_flag:
        raise Unavailable("`flowengine serve` has neither --store nor --sessions")
    extra = [f for f in ("--no-access-log",) if f in flags]
    if "--workers" in flags:
        extra += ["--workers", "1"]
    return EngineCli(executable, store_flag, "--public-url" in flags, "--host" in flags, extra)


def with_workers(cli: EngineCli, workers: int) -> EngineCli:
    """The same command line with `--workers N` (the help must offer it)."""
    flags = list(cli.extra_flags)
    if "--workers" not in flags:
        raise Unavailable("`flowengine serve` has no --workers option")
    flags[flags.index("--workers") + 1] = str(workers)
    return EngineCli(cli.executable, cli.store_flag, cli.has_public_url, cli.has_host, flags)


def engine_env(flows: Path, store: str) -> dict[str, str]:
    """Settings for flowengine.server:app_from_env (what `serve --workers N` hands over)."""
    return {
        "FLOWENGINE_FLOWS_DIR": str(flows),
        "FLOWENGINE_STORE": store,
        "FLOWENGINE_ACCESS_LOG": "0",
        "FLOWENGINE_LOG_LEVEL": "warning",
    }


def start_engine(
    cli: EngineCli, flows: Path, store: str, workdir: Path, name: str = "engine"
) -> Server:
    port = free_port()
    command = [*cli.executable, "serve", str(flows), "--port", str(port), cli.store_flag, store]
    if cli.has_host:
        command += ["--host", HOST]
    if cli.has_public_url:
        command += ["--public-url", f"http://{HOST}:{port}"]
    command += cli.extra_flags
    server = _launch(name, command, port, workdir, {})
    if not cli.has_public_url:
        server.notes.append("no --public-url: signatures checked against the request URL")
    wait_ready(server, timeout=60)
    return server
