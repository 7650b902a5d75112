"""The measurements bench/run.py makes, one function per section of the report.

Each section catches what can be missing (the engine, wrk, Redis, a tool) and says so
with a one-line reason instead of failing the whole run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import flowgen
from common import AUTH_TOKEN, ENTRY_PATH, GATHER_PATH, HOST, REPO, SCHEMA, say, tool
from load import WrkResult, run_wrk
from servers import (
    EngineCli,
    Server,
    Unavailable,
    children,
    cpu_seconds,
    post,
    rss_kib,
    start_engine,
    start_flask,
    start_floor,
    start_starlette_peer,
)
from signing import signed_pool, write_pool

LOGGING_ENGINE = "engine+log"
REDIS_URL = "redis://127.0.0.1:6379/15?prefix=flowengine-bench:"


@dataclass
class Options:
    rounds: int
    duration: float
    connections: int
    threads: int
    workdir: Path
    flows: Path
    gather: bool = False
    flask_sqlite: str = "per-request"
    best_of: int = 3
    max_rate: int = 10_000  # req/s a round may reach before its pool of new calls wraps
    engine_log: bool = False  # also run the engine with its line per webhook
    compare: str = ""  # another build's command line, run as "engine-base" beside "engine"


@dataclass
class LoadRun:
    """The rounds of one target, plus what was seen on the way."""

    name: str
    results: list[WrkResult] = field(default_factory=list)
    rss_kib: int = 0
    problems: list[str] = field(default_factory=list)


def not_available(what: str, reason: str) -> None:
    first, _, rest = reason.partition("\n")
    say(f"{what}: not available ({first})")
    if rest:
        say(rest)


def _pool_file(
    server: Server, path: str, workdir: Path, extra: dict[str, str] | None, count: int, seed: int
) -> Path:
    pool = signed_pool(server.base_url, path, AUTH_TOKEN, count=count, extra=extra, seed=seed)
    tag = "gather" if extra else "entry"
    return write_pool(pool, workdir / f"pool-{server.name}-{tag}-{seed}.tsv")


def calls_per_round(opts: Options) -> int:
    """Enough new calls that no round posts a call's entry webhook twice.

    Twilio posts it once per call; a repeated one makes the engine find a live session
    and start the call over, work that real traffic never asks for.
    """
    return max(1000, round(opts.duration * opts.max_rate))


def preflight(server: Server, path: str, extra: dict[str, str] | None = None) -> list[str]:
    """One signed request before the load: a 403 here means every number would be void."""
    request = signed_pool(server.base_url, path, AUTH_TOKEN, count=1, extra=extra, seed=99)[0]
    try:
        status, body = post(server, request)
    except OSError as exc:
        return [f"preflight POST {path} failed: {exc}"]
    if not 200 <= status < 300:
        hint = " (signature check failed?)" if status == 403 else ""
        return [f"preflight POST {path} answered HTTP {status}{hint}: {body[:200]!r}"]
    if "<Response" not in body:
        return [f"preflight POST {path} answered 2xx without TwiML: {body[:200]!r}"]
    if server.checks_signatures:
        forged = dataclasses.replace(request, signature="bm90IGEgc2lnbmF0dXJl")
        status, _ = post(server, forged)
        if status != 403:
            return [f"signature check seems OFF: a forged signature got HTTP {status}, not 403"]
    return []


def prime_sessions(server: Server, count: int = 1000) -> None:
    """Post the entry webhook of every call in the pool once, so gathers find a session."""
    for request in signed_pool(server.base_url, ENTRY_PATH, AUTH_TOKEN, count=count):
        post(server, request)


def _wrk(name: str, server: Server, pool: Path, opts: Options, seconds: float) -> WrkResult:
    return run_wrk(
        name,
        server.base_url,
        pool,
        duration=seconds,
        connections=opts.connections,
        threads=opts.threads,
    )


def drive(
    servers: dict[str, Server], opts: Options, path: str, extra: dict[str, str] | None = None
) -> dict[str, LoadRun]:
    """Alternate the targets over the rounds: a, b, c, a, b, c, ..."""
    runs = {name: LoadRun(name) for name in servers}
    # Entry webhooks: new calls in every round (and in the warm-up, round 0). Answers to
    # a menu: the same primed calls every round.
    count = calls_per_round(opts) if extra is None else 1000

    def pool(server: Server, round_no: int) -> Path:
        seed = 7 if extra is not None else 1000 + round_no
        return _pool_file(server, path, opts.workdir, extra, count, seed)

    for name, server in servers.items():
        runs[name].problems += server.notes
        runs[name].problems += preflight(server, path, extra)
        for problem in runs[name].problems:
            say(f"  !! {name}: {problem}")
        # Warm-up, not recorded: lazy imports, caches, SQLite pages, first connections.
        with contextlib.suppress(Unavailable):
            _wrk(name, server, pool(server, 0), opts, seconds=1)
    for round_no in range(1, opts.rounds + 1):
        for name, server in servers.items():
            if not server.alive():
                if "process died" not in runs[name].problems:
                    runs[name].problems.append("process died")
                    say(f"  !! {name}: process died\n{server.log_tail()}")
                continue
            try:
                pool_file = pool(server, round_no)
                cpu_before = cpu_seconds(server.process.pid)
                result = _wrk(name, server, pool_file, opts, seconds=opts.duration)
                result.cpu_s = cpu_seconds(server.process.pid) - cpu_before
            except Unavailable as exc:
                runs[name].problems.append(str(exc))
                say(f"  !! {name}: {exc}")
                continue
            runs[name].results.append(result)
            if extra is None and result.requests > count:
                wrapped = f"round {round_no}: {result.requests} requests on {count} new calls"
                runs[name].problems.append(f"{wrapped}; some entries repeated a call")
                say(f"  !! {name}: {runs[name].problems[-1]} (raise --max-rate)")
            flag = f"  ERRORS {result.errors} {result.statuses}" if result.errors else ""
            say(
                f"  round {round_no} {name:<14} {result.rps:>9.0f} req/s  "
                f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                f"CPU {result.cpu_us_per_request:5.0f} us/req{flag}"
            )
        for name, server in servers.items():
            if server.alive():
                runs[name].rss_kib = rss_kib(server.pid_for_memory)[0]
    return runs


def start_all(starters: dict[str, Callable[[], Server]], servers: dict[str, Server]) -> None:
    """Start what can start (into `servers`, so the caller can stop them whatever happens)."""
    for name, start in starters.items():
        try:
            servers[name] = start()
            say(f"  {name}: pid {servers[name].process.pid}, {servers[name].base_url}")
        except (Unavailable, OSError) as exc:
            not_available(name, str(exc))


def stop_all(servers: dict[str, Server]) -> None:
    for server in servers.values():
        server.stop()


# -- sections ----------------------------------------------------------------------


def http_comparison(
    opts: Options, engine: EngineCli | None
) -> tuple[dict[str, LoadRun], dict[str, LoadRun]]:
    starters: dict[str, Callable[[], Server]] = {}
    if engine is not None:
        store = f"sqlite:///{opts.workdir}/bench.db"
        starters["engine"] = partial(start_engine, engine, opts.flows, store, opts.workdir)
        if opts.engine_log and "--no-access-log" in engine.extra_flags:
            # The floor logs nothing per request (uvicorn --no-access-log), nor does
            # "engine"; this row shows what the engine's own line per webhook costs.
            logging = dataclasses.replace(
                engine, extra_flags=[f for f in engine.extra_flags if f != "--no-access-log"]
            )
            store = f"sqlite:///{opts.workdir}/bench-log.db"
            starters[LOGGING_ENGINE] = partial(
                start_engine, logging, opts.flows, store, opts.workdir, name=LOGGING_ENGINE
            )
        if opts.compare:
            base = dataclasses.replace(engine, executable=shlex.split(opts.compare))
            store = f"sqlite:///{opts.workdir}/bench-base.db"
            starters["engine-base"] = partial(
                start_engine, base, opts.flows, store, opts.workdir, name="engine-base"
            )
    starters["floor"] = partial(start_floor, opts.workdir)
    starters["flask"] = partial(start_flask, opts.workdir, opts.flask_sqlite)
    starters["flask-stateless"] = partial(
        start_flask, opts.workdir, name="flask-stateless", app="flask_stateless_app:app"
    )
    starters["starlette"] = partial(start_starlette_peer, opts.workdir)
    servers: dict[str, Server] = {}
    try:
        start_all(starters, servers)
        if not servers:
            return {}, {}
        entry = drive(servers, opts, ENTRY_PATH)
        gather: dict[str, LoadRun] = {}
        if opts.gather:
            say(f"  gather step: POST {GATHER_PATH} Digits=1 (sessions primed first)")
            for server in servers.values():
                prime_sessions(server)
            gather = drive(servers, opts, GATHER_PATH, extra={"Digits": "1"})
        return entry, gather
    finally:
        stop_all(servers)


def redis_reachable() -> str:
    """'' when Redis answers PING on 127.0.0.1:6379, else the reason."""
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            answer = s.recv(64)
    except OSError as exc:
        return f"Redis on 127.0.0.1:6379: {exc}"
    return "" if answer.startswith(b"+PONG") else f"Redis answered {answer!r}"


def clean_redis() -> None:
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        keys = list(client.scan_iter("flowengine-bench:*", count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i : i + 500])


def store_comparison(opts: Options, engine: EngineCli) -> dict[str, LoadRun]:
    stores = {
        "memory://": "memory://",
        "sqlite:///": f"sqlite:///{opts.workdir}/stores.db",
    }
    reason = redis_reachable()
    if reason:
        not_available("redis store", reason)
    else:
        stores["redis://"] = REDIS_URL
    starters: dict[str, Callable[[], Server]] = {
        label: partial(
            start_engine,
            engine,
            opts.flows,
            url,
            opts.workdir,
            name=f"engine-{label.split(':')[0]}",
        )
        for label, url in stores.items()
    }
    servers: dict[str, Server] = {}
    try:
        start_all(starters, servers)
        return drive(servers, opts, ENTRY_PATH) if servers else {}
    finally:
        stop_all(servers)
        clean_redis()


@dataclass
class Timing:
    label: str
    seconds: float = 0.0
    rate: float = 0.0
    detail: str = ""
    baseline: float = 0.0  # seconds of the baseline measured with it (compile: yaml.compose)


def _best_time(command: list[str], best_of: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    best = float("inf")
    result = None
    for _ in range(best_of):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return lines[-1][:200] if lines else ""


def lint_throughput(
    opts: Options, engine_cli: list[str] | None, engine_reason: str
) -> list[Timing]:
    corpus = opts.workdir / "lint-corpus"
    try:
        files = flowgen.lint_corpus(opts.flows, corpus, 1000)
    except FileNotFoundError as exc:
        not_available("lint corpus", str(exc))
        return []
    sources = ", ".join(p.name for p in flowgen.source_flows(opts.flows))
    say(f"  {len(files)} files, copies of {sources}, in {corpus}")
    timings = []
    if engine_cli is None:
        not_available("flowengine lint", engine_reason)
    else:
        seconds, result = _best_time([*engine_cli, "lint", str(corpus)], opts.best_of)
        detail = f"exit {result.returncode}"
        if result.returncode != 0:
            detail += f": {_last_line(result)}"
        timings.append(Timing("flowengine lint", seconds, len(files) / seconds, detail))
    checker = tool("check-jsonschema")
    if checker is None:
        not_available("check-jsonschema", "pip install -e '.[bench]'")
    elif not SCHEMA.exists():
        not_available("check-jsonschema", f"{SCHEMA} missing")
    else:
        command = [checker, "--schemafile", str(SCHEMA), *map(str, files)]
        seconds, result = _best_time(command, opts.best_of)
        detail = f"exit {result.returncode}"
        if result.returncode != 0:
            detail += f": {_last_line(result)}"
        timings.append(Timing("check-jsonschema", seconds, len(files) / seconds, detail))
    for t in timings:
        say(f"  {t.label:<18} {t.seconds:7.2f} s  {t.rate:8.0f} files/s  ({t.detail})")
    return timings


_COMPILE_SNIPPET = """
import json, sys, time
import yaml
from flowengine.flow.compiler import load_flow
import gc
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
times, compose, paused = [], [], []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    with open(sys.argv[1], encoding="utf-8") as f:
        yaml.compose(f, Loader=Loader)
    compose.append(time.perf_counter() - start)
    gc.disable()
    start = time.perf_counter()
    with open(sys.argv[1], encoding="utf-8") as f:
        yaml.compose(f, Loader=Loader)
    paused.append(time.perf_counter() - start)
    gc.enable()
    start = time.perf_counter()
    graph = load_flow(sys.argv[1])
    times.append(time.perf_counter() - start)
print("BENCH_JSON " + json.dumps({
    "times": times, "compose": compose, "paused": paused, "loader": Loader.__name__,
    "states": len(graph.states),
}))
"""


def compile_time(opts: Options, states: int = 5000) -> Timing | None:
    path = flowgen.write_chain_flow(opts.workdir / "compile" / "chain.yaml", states)
    size_kib = path.stat().st_size / 1024
    say(f"  {states}-state flow: {path} ({size_kib:.0f} KiB)")
    result = subprocess.run(
        [sys.executable, "-c", _COMPILE_SNIPPET, str(path), str(opts.best_of)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        not_available("compiler (flowengine.flow.compiler.load_flow)", _last_line(result))
        return None
    data = json.loads(line.removeprefix("BENCH_JSON "))
    times, compose = data["times"], data["compose"]
    timing = Timing(
        "compile",
        min(times),
        0.0,
        f"first {times[0]:.3f} s, {data['states']} states compiled; "
        f"yaml.compose ({data['loader']}) best {min(compose):.3f} s",
    )
    timing.baseline = min(compose)
    say(f"  best of {len(times)}: {timing.seconds:.3f} s ({timing.detail})")
    say(f"  compile / yaml.compose on the same file: {timing.seconds / min(compose):.2f}x")
    # load_flow pauses the cyclic collector; yaml.compose alone does not. The stricter
    # comparison, against compose with the collector paused too:
    paused = min(data["paused"])
    say(f"  compile / yaml.compose with gc paused ({paused:.3f} s): {timing.seconds / paused:.2f}x")
    return timing


def server_memory(opts: Options, engine: EngineCli, flows: int = 100) -> Timing | None:
    flow_dir = opts.workdir / "hundred-flows"
    names = flowgen.hundred_flows(opts.flows, flow_dir, flows)
    store = f"sqlite:///{opts.workdir}/memory.db"
    try:
        server = start_engine(engine, flow_dir, store, opts.workdir, name="engine-100-flows")
    except Unavailable as exc:
        not_available("engine with 100 flows", str(exc))
        return None
    try:
        statuses: dict[int, int] = {}
        for name in names[:: max(1, len(names) // 20)]:
            for request in signed_pool(server.base_url, f"/voice/{name}", AUTH_TOKEN, count=3):
                status, _ = post(server, request)
                statuses[status] = statuses.get(status, 0) + 1
        time.sleep(0.5)
        pids = [server.process.pid, *children(server.process.pid)]
        rss = sum(rss_kib(pid)[0] for pid in pids)
        hwm = max(rss_kib(pid)[1] for pid in pids)
    finally:
        server.stop()
    detail = f"{len(pids)} process(es), peak {hwm / 1024:.1f} MiB, answers {statuses}"
    timing = Timing("rss", rss / 1024, 0.0, detail)
    say(
        f"  {flows} flows loaded, after {sum(statuses.values())} requests: "
        f"{timing.seconds:.1f} MiB resident ({detail})"
    )
    return timing
