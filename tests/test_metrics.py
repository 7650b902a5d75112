"""GET /metrics, parsed with prometheus_client's own text parser."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Caller, ServerProcess, Twilio, Web

Start = Callable[..., ServerProcess]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_webhooks_calls_states_and_gather_failures(
    make_web: Callable[..., Web],
) -> None:
    web = make_web(metrics=True)
    call = web.caller()
    doc = call.dial("main")
    doc = call.reply(doc, Digits="1")
    doc = call.reply(doc, Digits="")  # no-input
    doc = call.reply(doc, Digits="7")  # no-match
    call.reply(doc, Digits="0")
    web.twilio.post("/status", {**call.params, "CallStatus": "completed"})
    web.twilio.post("/voice/main/nowhere/gather", call.params)  # a fallback

    response = web.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert value(found, "flowengine_webhooks_total", route="voice", outcome="answered") == 1
    assert value(found, "flowengine_webhooks_total", route="callback", outcome="answered") == 4
    assert value(found, "flowengine_webhooks_total", route="callback", outcome="fallback") == 1
    assert value(found, "flowengine_webhook_seconds_count", route="callback") == 5
    assert (
        value(found, "flowengine_fallbacks_total", route="callback", cause="session-mismatch") == 1
    )
    assert value(found, "flowengine_calls_started_total", flow="main") == 1
    assert value(found, "flowengine_calls_ended_total", flow="main", outcome="caller-hung-up") == 1
    for state in ("screen", "welcome", "open_check", "menu"):
        assert value(found, "flowengine_state_entries_total", flow="main", state=state) == 1
    assert value(found, "flowengine_state_entries_total", flow="main", state="front_desk") == 1
    gather = "flowengine_gather_failures_total"
    assert value(found, gather, flow="main", state="menu", kind="no-input") == 1
    assert value(found, gather, flow="main", state="menu", kind="no-match") == 1
    assert 0 <= value(found, "flowengine_history_pending") <= 7  # the writer's queue
    deadline = time.monotonic() + 10
    while value(found, "flowengine_history_pending") and time.monotonic() < deadline:
        time.sleep(0.05)
        found = samples(web.client.get("/metrics").text)
    assert value(found, "flowengine_history_pending") == 0
    # Bounded labels: no CallSid, no phone number anywhere.
    assert call.sid not in response.text and "+1555" not in response.text


def test_metrics_are_off_by_default_and_can_need_a_bearer_token(
    make_web: Callable[..., Web],
) -> None:
    assert make_web().client.get("/metrics").status_code == 404
    web = make_web(metrics=True, metrics_token="s3cret")
    refused = web.client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert web.client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    ok = web.client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and "flowengine_webhooks" in ok.text


def test_several_workers_add_up_in_one_scrape(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    server = start_server(
        flows_dir, f"sqlite:///{tmp_path}/sessions.db", extra=("--workers", "2", "--metrics")
    )
    twilio = Twilio(http, server.base)
    for _ in range(12):
        Caller(twilio).dial("main")
    totals = set()
    for _ in range(6):  # whichever worker answers the scrape sees every worker's counts
        found = samples(http.get(server.base + "/metrics").text)
        totals.add(value(found, "flowengine_webhooks_total", route="voice", outcome="answered"))
        assert value(found, "flowengine_calls_started_total", flow="main") == 12
    assert totals == {12}
