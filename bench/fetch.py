"""What a fetch costs a webhook, and whether slow fetches stall other calls (issue 14).

Run: python bench/fetch.py [--requests N] [--delay-ms D] [--slow N]

Three processes on 127.0.0.1: a business backend (uvicorn + Starlette, answers after
`--delay-ms` with a small JSON body), `flowengine serve` with two flows that differ only
in the fetch, and this client posting signed entry webhooks one after another (a fresh
CallSid each, keep-alive connection).

1. Cost of a fetch: median webhook time of the fetch flow minus that of the same flow
   without the fetch, against the median time of the same GET sent straight to the backend
   from here. Target: the fetch adds no more than the backend's own time + 1 ms.
2. Loop not blocked: the no-fetch flow's median while `--slow` calls each wait on a
   backend that takes 3 s, against its median with nothing in flight.

Both figures are ratios/differences measured in the same run (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

TOKEN = "bench-token"
BACKEND = """
import asyncio, os
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
DELAY = float(os.environ["DELAY_MS"]) / 1000
async def customer(request):
    await asyncio.sleep(3.0 if request.query_params.get("slow") else DELAY)
    return JSONResponse({"id": "100234", "name": "Ana", "balance": 42.5})
app = Starlette(routes=[Route("/customers", customer)])
"""
FLOW = """\
start: lookup
settings:
  crm: ${CRM_URL}
states:
  lookup:
    say: Welcome.
    %s
    next: hello
  hello:
    say: "Hello {{ vars.customer.name }}."
    hangup: true
"""
FETCH = (
    'fetch: {url: "{{ settings.crm }}/customers?phone={{ call.from }}{{ vars.slow }}", '
    "save: customer, timeout: 5}"
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process: robust to a busy machine, unlike wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"not ready: {url}")


class Engine:
    def __init__(self, base: str, http: httpx.Client) -> None:
        self.base = base
        self.http = http
        self.validator = RequestValidator(TOKEN)

    def entry(self, flow: str, slow: bool = False) -> float:
        params = {
            "CallSid": "CA" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": "+15551112222",
            "To": "+15553334444",
            "CallStatus": "in-progress",
        }
        url = f"{self.base}/voice/{flow}" + ("?state=slow" if slow else "")
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        started = time.perf_counter()
        response = self.http.post(url, data=params, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and "Hello" in response.text, response.text
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="webhooks per variant")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="the backend's own time")
    parser.add_argument("--slow", type=int, default=20, help="calls stuck on a 3 s backend")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fe-bench-fetch-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        (work / "backend.py").write_text(BACKEND)
        bport, eport = free_port(), free_port()
        env = {**os.environ, "DELAY_MS": str(opts.delay_ms), "PYTHONPATH": str(work)}
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "backend:app",
                    "--port",
                    str(bport),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=work,
                env=env,
            )
        )
        flows = work / "flows"
        flows.mkdir()
        (flows / "fetching.yaml").write_text(FLOW % FETCH)
        (flows / "plain.yaml").write_text(
            (FLOW % "set: {who: Ana}").replace("  crm: ${CRM_URL}\n", "  crm: x\n")
        )
        slow_flow = FLOW % FETCH.replace("{{ vars.slow }}", "&slow=1")
        (flows / "slow.yaml").write_text(slow_flow)
        engine_env = {
            **os.environ,
            "CRM_URL": f"http://127.0.0.1:{bport}",
            "TWILIO_AUTH_TOKEN": TOKEN,
        }
        flowengine = shutil.which("flowengine") or str(Path(sys.executable).parent / "flowengine")
        processes.append(
            subprocess.Popen(
                [
                    flowengine,
                    "serve",
                    str(flows),
                    "--port",
                    str(eport),
                    "--store",
                    f"sqlite:///{work}/bench.db",
                    "--public-url",
                    f"http://127.0.0.1:{eport}",
                    "--no-access-log",
                    "--no-reload",
                    "--log-level",
                    "warning",
                ],
                env=engine_env,
            )
        )
        wait_ready(f"http://127.0.0.1:{bport}/customers")
        wait_ready(f"http://127.0.0.1:{eport}/healthz")
        http = httpx.Client(timeout=30)
        engine = Engine(f"http://127.0.0.1:{eport}", http)
        direct_url = f"http://127.0.0.1:{bport}/customers?phone=%2B15551112222"
        for _ in range(30):  # warm up both paths
            engine.entry("fetching")
            engine.entry("plain")
            http.get(direct_url)
        fetching, plain, direct = [], [], []
        for _ in range(opts.requests):  # interleaved, so drift hits all three alike
            fetching.append(engine.entry("fetching"))
            plain.append(engine.entry("plain"))
            started = time.perf_counter()
            http.get(direct_url, headers={"X-Twilio-CallSid": "CA0"})
            direct.append(time.perf_counter() - started)
        med = {
            k: statistics.median(v) * 1000
            for k, v in (("fetching", fetching), ("plain", plain), ("direct", direct))
        }
        added = med["fetching"] - med["plain"]
        print(f"backend delay {opts.delay_ms:.0f} ms, {opts.requests} webhooks per variant")
        print(f"  webhook without fetch   median {med['plain']:.2f} ms")
        print(f"  webhook with fetch      median {med['fetching']:.2f} ms")
        print(f"  backend GET from client median {med['direct']:.2f} ms")
        print(
            f"  fetch adds {added:.2f} ms = backend + {added - med['direct']:.2f} ms "
            f"(target: <= backend + 1 ms)"
        )
        # 2. the loop keeps serving while slow fetches wait (three times: the machine is noisy)
        for _ in range(3):
            quiet = [engine.entry("plain") for _ in range(opts.requests // 2)]
            threads = []
            for _ in range(opts.slow):

                def stuck() -> None:
                    with httpx.Client(timeout=30) as own:
                        Engine(engine.base, own).entry("slow")

                thread = threading.Thread(target=stuck)
                thread.start()
                threads.append(thread)
            time.sleep(0.3)
            busy, started = [], time.monotonic()
            while time.monotonic() - started < 2.0:  # the slow fetches are all still waiting
                busy.append(engine.entry("plain"))
            for thread in threads:
                thread.join()
            q, b = statistics.median(quiet) * 1000, statistics.median(busy) * 1000
            print(
                f"  no-fetch webhook median: {q:.2f} ms quiet, {b:.2f} ms with {opts.slow} "
                f"calls waiting on a 3 s backend ({len(busy)} webhooks in 2 s); ratio {b / q:.2f}"
            )
        pid = processes[1].pid
        cpu: dict[str, list[float]] = {}
        for flow in ("fetching", "plain", "fetching", "plain"):
            before = cpu_seconds(pid)
            for _ in range(opts.requests):
                engine.entry(flow)
            cpu.setdefault(flow, []).append((cpu_seconds(pid) - before) / opts.requests * 1000)
        f_cpu, p_cpu = min(cpu["fetching"]), min(cpu["plain"])
        print(
            f"  engine CPU per webhook: {p_cpu:.2f} ms without fetch, {f_cpu:.2f} ms with "
            f"(the fetch costs the engine {f_cpu - p_cpu:.2f} ms of CPU)"
        )

        return 0
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
