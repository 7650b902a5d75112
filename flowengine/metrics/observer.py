"""The metrics side of the server's observers: counts what each webhook and step did."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flowengine.flow.graph import Graph
from flowengine.metrics.instruments import Instruments
from flowengine.runtime.effects import FetchResult
from flowengine.runtime.interpreter import StepResult

Lookup = Callable[[str, str], Graph | None]
FAILURES = ("no-input", "no-match")


def entered(graph: Graph | None, event: str, state: str, result: StepResult) -> list[str]:
    """The states this step entered: each transition's target, and a call's first state."""
    names = [
        target
        for source, label, target in result.trace
        if not (label in FAILURES and source == target)  # a retry re-prompts, enters nothing
    ]
    if event == "call" and graph is not None:
        names.insert(0, state or graph.start)
    return names


def gather_failure(event: str, params: Mapping[str, str], result: StepResult) -> str | None:
    if event != "gather":
        return None
    if not params.get("Digits", "").strip() and not params.get("SpeechResult", "").strip():
        return "no-input"
    first = result.trace[0][1] if result.trace else "no-match"
    return "no-match" if first == "no-match" or not result.trace else None


class MetricsObserver:
    def __init__(self, instruments: Instruments, lookup: Lookup) -> None:
        self.m = instruments
        self.lookup = lookup

    def step(
        self,
        key: str,
        fields: Mapping[str, object],
        params: Mapping[str, str],
        result: StepResult,
    ) -> None:
        session = result.session
        flow, event = session.flow, str(fields.get("event") or "")
        state = str(fields.get("state") or "")
        graph = self.lookup(flow, session.version)
        if event in ("call", "sms") and session.rev == 1:  # a new session, not a hand-over
            self.m.calls_started.labels(flow).inc()
        known = graph.states if graph is not None else {}
        for name in entered(graph, event, state, result):
            if name in known:
                self.m.state_entries.labels(flow, name).inc()
        failure = gather_failure(event, params, result)
        if failure is not None and state in known:
            self.m.gather_failures.labels(flow, state, failure).inc()

    def status(self, fields: Mapping[str, object], params: Mapping[str, str]) -> None:
        flow = fields.get("flow")
        if isinstance(flow, str) and flow:
            outcome = str(fields.get("flow_outcome") or "")
            if not outcome:
                status = params.get("CallStatus") or "completed"
                outcome = "caller-hung-up" if status == "completed" else status
            self.m.calls_ended.labels(flow, bounded(outcome)).inc()

    def transcription(self, params: Mapping[str, str]) -> None:
        return None

    def answered(self, route: str, fields: Mapping[str, object], seconds: float) -> None:
        self.m.webhooks.labels(route, "answered").inc()
        self.m.latency.labels(route).observe(seconds)

    def fell_back(
        self,
        route: str,
        fields: Mapping[str, object],
        params: Mapping[str, str],
        cause: str,
        seconds: float,
    ) -> None:
        self.m.webhooks.labels(route, "fallback").inc()
        self.m.latency.labels(route).observe(seconds)
        self.m.fallbacks.labels(route, cause).inc()
        if cause == "store-error":
            self.m.session_store_errors.inc()

    def fetched(
        self, call: str, flow: str, state: str, result: FetchResult, seconds: float
    ) -> None:
        self.m.fetch_latency.labels(flow, state).observe(seconds)
        if result.outcome != "ok":
            self.m.fetch_errors.labels(flow, state, result.outcome).inc()


def bounded(outcome: str) -> str:
    """Outcomes are the flow's own words, plus Twilio's statuses; a hand-over names a flow."""
    return outcome if len(outcome) <= 60 else outcome[:60]
