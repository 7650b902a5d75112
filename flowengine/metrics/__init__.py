"""GET /metrics for Prometheus: what the webhooks and the calls did, by flow and state."""
