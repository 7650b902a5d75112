"""flowengine benchmark (issue 7): engine vs the Starlette floor vs a Flask handler.

    python bench/run.py [--quick] [--rounds N] [--duration S] [--connections C]

See bench/README.md for what each number means. Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report
import scaling
import sections
from common import BENCH, ENTRY_PATH, FLOWS, GATHER_PATH, REPO, say
from load import find_wrk
from servers import EngineCli, Unavailable, probe_engine, probe_lint, uvicorn_stack

FLASK_SQLITE = {
    "per-request": "sqlite3.connect() per request, default journal and sync settings",
    "shared": "one shared connection, default journal and sync settings",
    "tuned": "one shared connection, WAL, synchronous=NORMAL",
}
SECTIONS = ("http", "stores", "lint", "compile", "memory", "workers", "granian", "history")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s (smoke run)")
    parser.add_argument("--rounds", type=int, help="rounds per target (default 3)")
    parser.add_argument("--duration", type=float, help="seconds per target per round (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--gather", action="store_true", help=f"also measure POST {GATHER_PATH}")
    parser.add_argument(
        "--flask-sqlite",
        choices=("per-request", "shared", "tuned"),
        default="per-request",
        help="Flask's SQLite: connect per request (default), one shared connection, "
        "or shared with WAL and synchronous=NORMAL (tuned)",
    )
    parser.add_argument(
        "--history-calls", type=int, default=100_000, help="calls in the generated history"
    )
    parser.add_argument(
        "--history-replay", type=int, default=10_000, help="calls the history section replays"
    )
    parser.add_argument("--only", help=f"comma-separated sections to run, of: {','.join(SECTIONS)}")
    parser.add_argument("--flows", type=Path, help="flows the engine serves (default: flows/)")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=10_000,
        help="req/s a round may reach before its pool of new calls wraps (10000)",
    )
    parser.add_argument(
        "--engine-log", action="store_true", help="also run the engine with its line per webhook"
    )
    parser.add_argument(
        "--compare",
        metavar="CMD",
        default="",
        help="also run another build of flowengine (its command line) as engine-base",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.sections = set(SECTIONS)
    if args.only:
        args.sections = {s.strip() for s in args.only.split(",")}
        unknown = args.sections - set(SECTIONS)
        if unknown:
            parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def wrk_version() -> str:
    try:
        wrk = find_wrk()
    except Unavailable as exc:
        return str(exc)
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).splitlines()[0].strip()


def load_warning() -> None:
    """The machine is shared (tests, editors): say so when something else is busy."""
    one, five, fifteen = os.getloadavg()
    say(f"  load avg   {one:.2f} (1 min), {five:.2f} (5 min), {fifteen:.2f} (15 min)")
    if five > 0.5:
        say("  !! other processes are using the CPU: expect noisy numbers; rerun when idle")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` should still stop the servers: turn SIGTERM into SystemExit so that
    # every `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    flows = args.flows.resolve() if args.flows else FLOWS
    workdir = Path(tempfile.mkdtemp(prefix="flowengine-bench-"))
    opts = sections.Options(
        rounds=args.rounds,
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
        workdir=workdir,
        flows=flows,
        gather=args.gather,
        flask_sqlite=args.flask_sqlite,
        best_of=1 if args.quick else 3,
        max_rate=args.max_rate,
        engine_log=args.engine_log,
        compare=args.compare,
    )
    say("flowengine benchmark")
    say(f"  date       {time.strftime('%Y-%m-%d %H:%M')}")
    python = platform.python_version()
    say(f"  machine    {os.cpu_count()} cores, {platform.machine()}, Python {python}")
    say(f"  stack      {uvicorn_stack()} for engine and floor; Flask: gunicorn, 1 sync worker")
    say(f"  flask db   SQLite, {FLASK_SQLITE[opts.flask_sqlite]}")
    say(
        f"  load       {wrk_version()}; {opts.connections} connections, {opts.threads} threads, "
        f"{opts.rounds} round(s) x {opts.duration:g} s per target"
    )
    say(f"  flows      {flows}")
    load_warning()
    say(f"  workdir    {workdir}")

    engine: EngineCli | None = None
    engine_reason = ""
    try:
        if not (flows / "main.yaml").exists():
            raise Unavailable(f"{flows / 'main.yaml'} not found")
        engine = probe_engine()
        say(
            f"  engine:    {' '.join(engine.executable)} serve ... {engine.store_flag} URL"
            f"{' --public-url URL' if engine.has_public_url else ''} {' '.join(engine.extra_flags)}"
        )
    except Unavailable as exc:
        engine_reason = str(exc)
        say(f"engine: not available ({engine_reason})")

    results: dict[str, object] = {"args": {k: str(v) for k, v in vars(args).items()}}
    summaries: dict[str, report.Summary] = {}
    vs_floor = vs_flask = None
    lint: list[sections.Timing] = []
    compiled = memory = None
    workers: dict[str, report.Summary] = {}
    wrk_reason = ""
    try:
        find_wrk()
    except Unavailable as exc:
        wrk_reason = str(exc)

    try:
        if "http" in args.sections:
            report.heading(f"Webhook throughput: POST {ENTRY_PATH} (engine with the SQLite store)")
            if wrk_reason:
                sections.not_available("load generator", wrk_reason)
            else:
                entry, gather = sections.http_comparison(opts, engine)
                summaries = report.load_table(entry)
                vs_floor, vs_flask = report.ratios(summaries)
                results["http"] = {
                    k: [dataclasses.asdict(r) for r in v.results] for k, v in entry.items()
                }
                if gather:
                    report.heading(f"Gather step: POST {GATHER_PATH} Digits=1")
                    report.ratios(report.load_table(gather))
                    results["gather"] = {
                        k: [dataclasses.asdict(r) for r in v.results] for k, v in gather.items()
                    }

        if "stores" in args.sections:
            report.heading("Session stores: engine throughput by store")
            if engine is None:
                sections.not_available("engine", engine_reason)
            elif wrk_reason:
                sections.not_available("load generator", wrk_reason)
            else:
                stores = sections.store_comparison(opts, engine)
                report.load_table(stores)
                results["stores"] = {
                    k: [dataclasses.asdict(r) for r in v.results] for k, v in stores.items()
                }

        if "lint" in args.sections:
            report.heading("Lint throughput: 1,000 flow files")
            try:
                lint_cli, lint_reason = probe_lint(), ""
            except Unavailable as exc:
                lint_cli, lint_reason = None, str(exc)
            lint = sections.lint_throughput(opts, lint_cli, lint_reason)
            mine = {t.label: t for t in lint}
            if "flowengine lint" in mine and "check-jsonschema" in mine:
                speedup = mine["check-jsonschema"].seconds / mine["flowengine lint"].seconds
                say(f"  flowengine lint is {speedup:.2f}x the speed of check-jsonschema")
            results["lint"] = [dataclasses.asdict(t) for t in lint]

        if "compile" in args.sections:
            report.heading("Compile time: a generated 5,000-state flow")
            compiled = sections.compile_time(opts)
            results["compile"] = dataclasses.asdict(compiled) if compiled else None

        if "memory" in args.sections:
            report.heading("Server memory: flowengine serve with 100 flows")
            if engine is None:
                sections.not_available("engine", engine_reason)
            else:
                memory = sections.server_memory(opts, engine)
                results["memory"] = dataclasses.asdict(memory) if memory else None
        if "workers" in args.sections:
            report.heading("--workers 2 against 1 (engine, entry webhook)")
            if engine is None:
                sections.not_available("engine", engine_reason)
            elif wrk_reason:
                sections.not_available("load generator", wrk_reason)
            else:
                runs = scaling.workers_comparison(opts, engine)
                workers = report.load_table(runs)
                for store in ("sqlite", "redis"):
                    value = report.ratio(workers.get(f"{store}-w2"), workers.get(f"{store}-w1"))
                    if value is not None:
                        say(f"  {store}: 2 workers / 1 worker {value:.2f}x")
                results["workers"] = {
                    k: [dataclasses.asdict(r) for r in v.results] for k, v in runs.items()
                }

        if "granian" in args.sections:
            report.heading("granian against uvicorn (one worker each, uvloop)")
            if wrk_reason:
                sections.not_available("load generator", wrk_reason)
            else:
                runs = scaling.granian_comparison(opts, engine)
                report.granian_summary(report.load_table(runs))
                results["granian"] = {
                    k: [dataclasses.asdict(r) for r in v.results] for k, v in runs.items()
                }

        if "history" in args.sections:
            history_section(args, opts, engine, engine_reason, wrk_reason, results)
    except KeyboardInterrupt:
        say("\ninterrupted")
        return 130
    finally:
        if args.keep:
            say(f"\n(kept {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    report.heading("Targets (issue 7)")
    items = report.verdicts(summaries, vs_floor, vs_flask, opts.connections, lint, compiled, memory)
    report.print_verdicts(items)
    results["verdicts"] = [dataclasses.asdict(v) for v in items]
    report.heading("Targets (issue 16): ratios from this run")
    items16 = report.verdicts_16(summaries, opts.connections, compiled, workers)
    report.print_verdicts(items16)
    one, five, fifteen = os.getloadavg()
    say(f"  machine load at the end: {one:.2f} (1 min), {five:.2f} (5 min), {fifteen:.2f} (15 min)")
    results["verdicts_16"] = [dataclasses.asdict(v) for v in items16]
    results["load_end"] = [one, five, fifteen]
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{time.strftime('%Y%m%d-%H%M%S')}{'-quick' if args.quick else ''}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    say(f"\nraw results: {out.relative_to(REPO)}")
    return 0


def history_section(
    args: argparse.Namespace,
    opts: sections.Options,
    engine: EngineCli | None,
    engine_reason: str,
    wrk_reason: str,
    results: dict[str, object],
) -> None:
    import history_bench

    report.heading("Call history: webhook throughput with the history on and off (issue 15)")
    if engine is None:
        sections.not_available("engine", engine_reason)
        return
    if wrk_reason:
        sections.not_available("load generator", wrk_reason)
    else:
        runs = history_bench.throughput(opts, engine)
        summaries = report.load_table(runs)
        on, off = summaries.get("history-on"), summaries.get("history-off")
        if on is not None and off is not None:
            say(f"  history on / off: {on.rps / off.rps:.3f} of the throughput (target >= 0.90)")
        results["history_http"] = {
            k: [dataclasses.asdict(r) for r in v.results] for k, v in runs.items()
        }
    report.heading(
        f"Call history: report on {args.history_calls:,} calls, replay of {args.history_replay:,}"
    )
    timings = history_bench.report_and_replay(
        opts, engine.executable, args.history_calls, args.history_replay
    )
    results["history"] = [dataclasses.asdict(t) for t in timings]


if __name__ == "__main__":
    sys.exit(main())
