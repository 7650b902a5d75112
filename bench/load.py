"""Drive a target with wrk and bench/webhook.lua; parse the JSON line done() prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from common import BENCH
from servers import Unavailable

LUA_SCRIPT = BENCH / "webhook.lua"
INSTALL_HINT = "sudo apt-get update && sudo apt-get install -y wrk"


@dataclass
class WrkResult:
    target: str
    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    unexpected: int
    statuses: dict[str, int] = field(default_factory=dict)
    sample: str = ""
    cpu_s: float = 0.0  # CPU time (user + system) the server's processes used in the round

    @property
    def cpu_us_per_request(self) -> float:
        """The server's own CPU per answered request: unlike req/s, it hardly depends on
        how much of the machine other processes take (the scheduler's share)."""
        return self.cpu_s / self.requests * 1e6 if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        """Every request that did not get a 2xx TwiML answer."""
        return self.non2xx + self.socket_errors + self.unexpected


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise Unavailable(f"wrk not found; install it with: {INSTALL_HINT}")
    return wrk


def run_wrk(
    target: str,
    base_url: str,
    pool_file: Path,
    *,
    duration: float,
    connections: int,
    threads: int,
    expect: str = "<Response",
) -> WrkResult:
    wrk = find_wrk()
    threads = max(1, min(threads, connections))
    command = [
        wrk,
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "--script",
        str(LUA_SCRIPT),
        base_url,
    ]
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(pool_file),
        "BENCH_EXPECT": expect,
        "BENCH_THREADS": str(threads),
    }
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=duration + 60)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        detail = (proc.stderr or proc.stdout).strip()[-500:]
        raise Unavailable(f"wrk failed (exit {proc.returncode}): {detail}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    socket_errors = sum(
        data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return WrkResult(
        target=target,
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non2xx=data["non2xx"],
        socket_errors=socket_errors,
        unexpected=data["unexpected"],
        statuses=data["statuses"],
        sample=data["sample"],
    )
