"""The call history's section of the benchmark (issue 15).

- webhook throughput with the history on and off: two engines, the same flows and session
  store kind, taking turns in the same rounds (wrk, new calls every round);
- `flowengine report` over a generated history of many calls (all flows, whole period);
- `flowengine replay` of the newest N calls against the same flows.

Report and replay are timed as users run them: the command line, process start included.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import resource
import subprocess
import time
from functools import partial
from pathlib import Path

import history_data
from common import ENTRY_PATH, say
from sections import LoadRun, Options, Timing, drive, start_all, stop_all
from servers import EngineCli, Server, start_engine


def throughput(opts: Options, engine: EngineCli) -> dict[str, LoadRun]:
    def with_history(url: str) -> EngineCli:
        return dataclasses.replace(engine, extra_flags=[*engine.extra_flags, "--history", url])

    starters = {
        "history-off": partial(
            start_engine,
            with_history("off"),
            opts.flows,
            f"sqlite:///{opts.workdir}/off.db",
            opts.workdir,
            name="history-off",
        ),
        "history-on": partial(
            start_engine,
            with_history(f"sqlite:///{opts.workdir}/on-history.db"),
            opts.flows,
            f"sqlite:///{opts.workdir}/on.db",
            opts.workdir,
            name="history-on",
        ),
    }
    servers: dict[str, Server] = {}
    try:
        start_all(starters, servers)
        if len(servers) != 2:
            return {}
        before = {name: cpu_seconds(server.process.pid) for name, server in servers.items()}
        runs = drive(servers, opts, ENTRY_PATH)
        # CPU per webhook is steadier than req/s on a shared machine: the other programs
        # slow a round down, but hardly change what one request costs the server.
        for name, server in servers.items():
            used = cpu_seconds(server.process.pid) - before[name]
            requests = sum(r.requests for r in runs[name].results)
            if requests:
                say(
                    f"  {name:<12} {1e6 * used / requests:7.1f} us of server CPU per webhook "
                    f"({requests:,} requests, warm-up included in the CPU)"
                )
        return runs
    finally:
        stop_all(servers)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(command: list[str], best_of: int) -> tuple[float, float, str]:
    """Best wall time of `best_of` runs, the CPU time of that run, and its output."""
    best, cpu, out = float("inf"), 0.0, ""
    for _ in range(best_of):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
        if elapsed < best:
            best, out = elapsed, done.stdout
            cpu = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
    return best, cpu, out


def report_and_replay(
    opts: Options, executable: list[str], calls: int, replayed: int
) -> list[Timing]:
    url = f"sqlite:///{opts.workdir}/generated-history.db"
    started = time.perf_counter()
    asyncio.run(history_data.fill(url, opts.flows, calls))
    say(f"  generated {calls:,} calls in {time.perf_counter() - started:.1f} s ({url})")
    flows = str(opts.flows)
    timings = []
    seconds, cpu, out = _timed([*executable, "report", flows, "--history", url], opts.best_of)
    first = [line for line in out.splitlines() if line.startswith("Flow ")]
    detail = f"CPU {cpu:.2f} s; " + "; ".join(first)
    timings.append(Timing(f"report, {calls:,} calls", seconds, calls / seconds, detail))
    command = [*executable, "replay", flows, "--history", url, "--limit", str(replayed)]
    seconds, cpu, out = _timed(command, opts.best_of)
    detail = f"CPU {cpu:.2f} s; " + out.splitlines()[0]
    timings.append(Timing(f"replay, {replayed:,} calls", seconds, replayed / seconds, detail))
    for timing in timings:
        say(f"  {timing.label:<24} {timing.seconds:6.2f} s wall ({timing.rate:,.0f} calls/s)")
        say(f"    {timing.detail}")
    return timings


def generated_size(opts: Options) -> int:
    path = Path(opts.workdir) / "generated-history.db"
    return path.stat().st_size if path.exists() else 0
