"""The metrics themselves: names with the project prefix and a unit, bounded labels only
(route, flow, state, outcome and cause names; never a CallSid or a phone number)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Webhooks answer in milliseconds; Twilio gives up after 15 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)
FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Instruments:
    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        self.webhooks = counter(
            "flowengine_webhooks", "Webhooks answered, by route and outcome", ("route", "outcome")
        )
        self.latency = Histogram(
            "flowengine_webhook_seconds",
            "Time to answer a webhook, by route",
            ("route",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.fallbacks = counter(
            "flowengine_fallbacks",
            "Webhooks answered with the fallback, by cause",
            ("route", "cause"),
        )
        self.calls_started = counter(
            "flowengine_calls_started", "Calls and text conversations started, by flow", ("flow",)
        )
        self.calls_ended = counter(
            "flowengine_calls_ended",
            "Calls ended (status callback), by flow and outcome",
            ("flow", "outcome"),
        )
        self.state_entries = counter(
            "flowengine_state_entries", "States entered, by flow and state", ("flow", "state")
        )
        self.gather_failures = counter(
            "flowengine_gather_failures",
            "Gathers answered with nothing (no-input) or with no option (no-match)",
            ("flow", "state", "kind"),
        )
        self.fetch_latency = Histogram(
            "flowengine_fetch_seconds",
            "Time a flow's fetch to a business backend took, by flow and state",
            ("flow", "state"),
            buckets=FETCH_BUCKETS,
            registry=registry,
        )
        self.fetch_errors = counter(
            "flowengine_fetch_errors",
            "Fetches that failed, by flow, state and cause",
            ("flow", "state", "cause"),
        )
        self.session_store_errors = counter(
            "flowengine_session_store_errors", "Webhooks the session store failed"
        )
        self.history_store_errors = counter(
            "flowengine_history_store_errors", "History batches the store failed (kept, retried)"
        )
        self.history_dropped = counter(
            "flowengine_history_dropped", "History records dropped: the queue was full"
        )
        self.history_pending = Gauge(
            "flowengine_history_pending",
            "History records waiting to be written",
            registry=registry,
            multiprocess_mode="livesum",
        )
