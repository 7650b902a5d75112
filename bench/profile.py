"""Profile `flowengine serve` under load on the production stack, with py-spy.

    python bench/profile.py [--seconds 15] [--store sqlite] [--out DIR]

Starts the engine as bench/run.py does (SQLite store, signatures checked, no access
log), drives it with wrk (32 connections, new calls), and samples it with py-spy
(`py-spy record --format raw --gil`: only the thread holding the GIL, i.e. the Python
work that one process serialises; idle off). Prints where the samples
fall: the share per top-level part of a request (uvicorn/httptools, Starlette routing,
the webhook frame, the signature, the step, the store, the TwiML, the event loop) and
the 25 functions with the most samples of their own. The raw folded stacks are kept
in --out for a flame graph (flamegraph.pl, speedscope).
Needs py-spy (pip install -e '.[bench]') and permission to ptrace (root, or
kernel.yama.ptrace_scope=0).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from common import AUTH_TOKEN, ENTRY_PATH, FLOWS, say, tool
from load import run_wrk
from servers import probe_engine, start_engine
from signing import signed_pool, write_pool

# First match wins, from the leaf up: the part of a request a sample belongs to.
PARTS = [
    ("signature", ("signature.py", "request_validator.py", "hmac.py")),
    ("history", ("/history/",)),
    ("store", ("stores/",)),
    ("twiml", ("twiml.py", "/flow/prompts", "/flow/speech")),
    ("step (runtime)", ("/runtime/",)),
    ("calls (server/calls.py)", ("server/calls.py",)),
    ("webhook frame (form, log line)", ("server/webhook.py", "server/logs.py", "logging/")),
    ("starlette", ("starlette/",)),
    ("uvicorn + httptools", ("uvicorn/", "httptools")),
    ("event loop (uvloop/asyncio)", ("uvloop", "asyncio/")),
]


def part_of(stack: list[str]) -> str:
    for frame in reversed(stack):
        for part, needles in PARTS:
            if any(n in frame for n in needles):
                return part
    return "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--store", default="sqlite", choices=("sqlite", "memory"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    py_spy = tool("py-spy")
    if py_spy is None:
        say("py-spy not installed: pip install -e '.[bench]'")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="flowengine-profile-"))
    out = args.out or workdir
    out.mkdir(parents=True, exist_ok=True)
    store = "memory://" if args.store == "memory" else f"sqlite:///{workdir}/profile.db"
    server = start_engine(probe_engine(), FLOWS, store, workdir)
    try:
        count = args.seconds * 10_000 + 10_000
        pool = signed_pool(server.base_url, ENTRY_PATH, AUTH_TOKEN, count=count, seed=4242)
        pool_file = write_pool(pool, workdir / "pool.tsv")
        folded = out / "engine.folded"
        load = threading.Thread(
            target=run_wrk,
            args=("engine", server.base_url, pool_file),
            kwargs={"duration": args.seconds + 2, "connections": 32, "threads": 2},
        )
        load.start()
        subprocess.run(
            [
                py_spy,
                "record",
                "--pid",
                str(server.process.pid),
                "--duration",
                str(args.seconds),
                "--rate",
                "250",
                "--format",
                "raw",
                "--output",
                str(folded),
                "--nonblocking",
                "--gil",
            ],
            check=True,
            capture_output=True,
        )
        load.join()
    finally:
        server.stop()
    parts: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        count = int(count_text)
        stack = stack_text.split(";")[1:]  # the first frame is the thread
        if not stack:
            continue
        total += count
        parts[part_of(stack)] += count
        own[stack[-1]] += count
    say(f"{total} samples of the engine under wrk ({args.seconds} s, {args.store} store)")
    for part, count in parts.most_common():
        say(f"  {part:<34}{count / total:6.1%}")
    say("functions with the most samples of their own:")
    for frame, count in own.most_common(25):
        say(f"  {count / total:6.1%}  {frame[:110]}")
    say(f"folded stacks: {folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
