"""Tables and the targets verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from common import median, say
from sections import LOGGING_ENGINE, LoadRun, Timing

# The targets of issue 7 (docs/performance.md).
MIN_VS_FLOOR = 0.5
MIN_VS_FLASK = 2.0
MAX_P99_MS = 10.0
MAX_COMPILE_S = 1.0
MAX_RSS_MIB = 100.0


@dataclass
class Summary:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    rss_mib: float
    per_round: list[float]
    cpu_us: float = 0.0  # median server CPU per request over the rounds


def summarise(run: LoadRun) -> Summary:
    results = run.results
    return Summary(
        name=run.name,
        rps=median([r.rps for r in results]),
        p50_ms=median([r.p50_ms for r in results]),
        p99_ms=median([r.p99_ms for r in results]),
        errors=sum(r.errors for r in results),
        requests=sum(r.requests for r in results),
        rss_mib=run.rss_kib / 1024,
        per_round=[r.rps for r in results],
        cpu_us=median([r.cpu_us_per_request for r in results]),
    )


def heading(title: str) -> None:
    say(f"\n== {title} ==")


def load_table(runs: dict[str, LoadRun]) -> dict[str, Summary]:
    """Print one row per target (medians over rounds) and shout about errors."""
    summaries = {name: summarise(run) for name, run in runs.items() if run.results}
    say(
        f"  {'target':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>9}{'RSS MiB':>9}"
        f"{'CPU us':>9}  req/s per round"
    )
    for s in summaries.values():
        rounds = ", ".join(f"{v:.0f}" for v in s.per_round)
        say(
            f"  {s.name:<16}{s.rps:>9.0f}{s.p50_ms:>9.2f}{s.p99_ms:>9.2f}{s.errors:>9}"
            f"{s.rss_mib:>9.1f}{s.cpu_us:>9.0f}  {rounds}"
        )
    for name, run in runs.items():
        if not run.results:
            say(f"  {name:<16}no result ({'; '.join(run.problems) or 'no rounds ran'})")
    for name, run in runs.items():
        bad = [r for r in run.results if r.errors]
        if not bad:
            continue
        statuses: dict[str, int] = {}
        for r in bad:
            for key, count in r.statuses.items():
                statuses[key] = statuses.get(key, 0) + count
        socket_errors = sum(r.socket_errors for r in bad)
        say(
            f"  !!!! {name}: {summaries[name].errors} of {summaries[name].requests} requests "
            f"failed (HTTP {statuses or '-'}, socket errors {socket_errors})."
        )
        if "403" in statuses:
            say("  !!!! 403 = signature check failed: this target's numbers are MEANINGLESS.")
        else:
            say("  !!!! Throughput of failed requests is not comparable; fix and rerun.")
        sample = next((r.sample for r in bad if r.sample), "")
        if sample:
            say(f"  !!!! first bad body: {sample[:200]!r}")
    return summaries


def ratio(a: Summary | None, b: Summary | None) -> float | None:
    if a is None or b is None or not b.rps or a.errors or b.errors:
        return None
    return a.rps / b.rps


def ratios(summaries: dict[str, Summary]) -> tuple[float | None, float | None]:
    engine = summaries.get("engine")
    vs_floor = ratio(engine, summaries.get("floor"))
    vs_flask = ratio(engine, summaries.get("flask"))
    floor_flask = ratio(summaries.get("floor"), summaries.get("flask"))
    parts = [
        f"engine/floor {vs_floor:.2f}x" if vs_floor is not None else "engine/floor n/a",
        f"engine/flask {vs_flask:.2f}x" if vs_flask is not None else "engine/flask n/a",
        f"floor/flask {floor_flask:.2f}x" if floor_flask is not None else "floor/flask n/a",
    ]
    for peer in ("flask-stateless", "starlette"):
        value = ratio(engine, summaries.get(peer))
        if value is not None:
            parts.append(f"engine/{peer} {value:.2f}x")
    base = ratio(engine, summaries.get("engine-base"))
    if base is not None:
        parts.append(f"engine/engine-base {base:.2f}x")
    p99 = p99_ratio(engine, summaries.get("floor"))
    if p99 is not None:
        parts.append(f"p99 engine/floor {p99:.2f}x")
    logged = ratio(summaries.get(LOGGING_ENGINE), summaries.get("floor"))
    if logged is not None:
        parts.append(f"{LOGGING_ENGINE}/floor {logged:.2f}x")
    say("  ratios (median throughput): " + ", ".join(parts))
    cpu_parts = []
    if engine is not None and engine.cpu_us:
        for other in ("floor", "flask-stateless", "starlette", "engine-base"):
            peer = summaries.get(other)
            if peer is not None and peer.cpu_us:
                cpu_parts.append(f"{other}/engine {peer.cpu_us / engine.cpu_us:.2f}x")
    if cpu_parts:
        # Throughput one process would reach with a core to itself is 1 / CPU per request.
        say(
            "  ratios (server CPU per request, the other's over the engine's): "
            + ", ".join(cpu_parts)
        )
    return vs_floor, vs_flask


@dataclass
class Verdict:
    target: str
    measured: str
    ok: bool | None  # None: not measured


def verdicts(
    summaries: dict[str, Summary],
    vs_floor: float | None,
    vs_flask: float | None,
    connections: int,
    lint: list[Timing],
    compiled: Timing | None,
    memory: Timing | None,
) -> list[Verdict]:
    engine = summaries.get("engine")
    out = [
        Verdict(
            f"engine >= {MIN_VS_FLOOR}x floor throughput",
            f"{vs_floor:.2f}x" if vs_floor is not None else "not measured",
            None if vs_floor is None else vs_floor >= MIN_VS_FLOOR,
        ),
        Verdict(
            f"engine >= {MIN_VS_FLASK}x Flask throughput",
            f"{vs_flask:.2f}x" if vs_flask is not None else "not measured",
            None if vs_flask is None else vs_flask >= MIN_VS_FLASK,
        ),
    ]
    p99_target = f"engine p99 <= {MAX_P99_MS:.0f} ms at 32 connections"
    if engine is None or engine.errors:
        out.append(Verdict(p99_target, "not measured", None))
    elif connections != 32:
        out.append(
            Verdict(p99_target, f"{engine.p99_ms:.2f} ms at {connections} connections", None)
        )
    else:
        out.append(Verdict(p99_target, f"{engine.p99_ms:.2f} ms", engine.p99_ms <= MAX_P99_MS))
    by_label = {t.label: t for t in lint}
    mine, theirs = by_label.get("flowengine lint"), by_label.get("check-jsonschema")
    if mine and theirs:
        out.append(
            Verdict(
                "lint faster than check-jsonschema (1,000 files)",
                f"{theirs.seconds / mine.seconds:.2f}x as fast "
                f"({mine.seconds:.2f} s vs {theirs.seconds:.2f} s)",
                mine.seconds < theirs.seconds,
            )
        )
    else:
        out.append(Verdict("lint faster than check-jsonschema (1,000 files)", "not measured", None))
    out.append(
        Verdict(
            f"5,000-state flow compiles in <= {MAX_COMPILE_S:.0f} s",
            f"{compiled.seconds:.3f} s" if compiled else "not measured",
            None if compiled is None else compiled.seconds <= MAX_COMPILE_S,
        )
    )
    out.append(
        Verdict(
            f"<= {MAX_RSS_MIB:.0f} MB resident with 100 flows",
            f"{memory.seconds:.1f} MiB" if memory else "not measured",
            None if memory is None else memory.seconds <= MAX_RSS_MIB,
        )
    )
    return out


def print_verdicts(items: list[Verdict]) -> None:
    for v in items:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[v.ok]
        say(f"  [{mark}] {v.target:<50} {v.measured}")


# The targets of issue 16 (docs/performance.md): ratios from one run.
MIN_VS_FLASK_STATELESS = 2.0
MIN_VS_STARLETTE = 1.5
MAX_P99_VS_FLOOR = 2.0
MAX_COMPILE_VS_COMPOSE = 3.0
MIN_WORKERS_SPEEDUP = 1.6


def _verdict(
    target: str, value: float | None, ok: Callable[[float], bool], unit: str = "x"
) -> Verdict:
    if value is None:
        return Verdict(target, "not measured", None)
    return Verdict(target, f"{value:.2f}{unit}", ok(value))


def _with_cpu(verdict: Verdict, engine: Summary | None, other: Summary | None) -> Verdict:
    """Add the same ratio by server CPU per request (robust to the machine's load)."""
    if engine is not None and other is not None and engine.cpu_us and other.cpu_us:
        verdict.measured += f" (by CPU per request: {other.cpu_us / engine.cpu_us:.2f}x)"
    return verdict


def p99_ratio(a: Summary | None, b: Summary | None) -> float | None:
    if a is None or b is None or not b.p99_ms or a.errors or b.errors:
        return None
    return a.p99_ms / b.p99_ms


def verdicts_16(
    summaries: dict[str, Summary],
    connections: int,
    compiled: Timing | None,
    workers: dict[str, Summary],
) -> list[Verdict]:
    engine = summaries.get("engine")
    p99 = p99_ratio(engine, summaries.get("floor")) if connections == 32 else None
    compile_ratio = compiled.seconds / compiled.baseline if compiled and compiled.baseline else None
    out = [
        _with_cpu(
            _verdict(
                f"engine >= {MIN_VS_FLOOR}x floor throughput",
                ratio(engine, summaries.get("floor")),
                lambda v: v >= MIN_VS_FLOOR,
            ),
            engine,
            summaries.get("floor"),
        ),
        _with_cpu(
            _verdict(
                f"engine >= {MIN_VS_FLASK_STATELESS:g}x Flask tutorial peer (stateless)",
                ratio(engine, summaries.get("flask-stateless")),
                lambda v: v >= MIN_VS_FLASK_STATELESS,
            ),
            engine,
            summaries.get("flask-stateless"),
        ),
        _with_cpu(
            _verdict(
                f"engine >= {MIN_VS_STARLETTE:g}x hand-written Starlette peer",
                ratio(engine, summaries.get("starlette")),
                lambda v: v >= MIN_VS_STARLETTE,
            ),
            engine,
            summaries.get("starlette"),
        ),
        _verdict(
            f"engine p99 <= {MAX_P99_VS_FLOOR:g}x floor p99 at 32 connections",
            p99,
            lambda v: v <= MAX_P99_VS_FLOOR,
        ),
        _verdict(
            f"5,000-state compile <= {MAX_COMPILE_VS_COMPOSE:g}x yaml.compose",
            compile_ratio,
            lambda v: v <= MAX_COMPILE_VS_COMPOSE,
        ),
    ]
    for store in ("sqlite", "redis"):
        out.append(
            _verdict(
                f"--workers 2 >= {MIN_WORKERS_SPEEDUP:g}x one worker ({store})",
                ratio(workers.get(f"{store}-w2"), workers.get(f"{store}-w1")),
                lambda v: v >= MIN_WORKERS_SPEEDUP,
            )
        )
    return out


def granian_summary(runs: dict[str, Summary]) -> None:
    """Granian against uvicorn for the same app: throughput and p99 ratios (no target)."""
    for app in ("floor", "engine"):
        g, u = runs.get(f"{app}-granian"), runs.get(f"{app}-uvicorn")
        speed, p99 = ratio(g, u), p99_ratio(g, u)
        if speed is None or p99 is None:
            say(f"  {app}: granian/uvicorn not measured")
            continue
        say(f"  {app}: granian/uvicorn throughput {speed:.2f}x, p99 {p99:.2f}x")
