"""Real traffic in the studio: a SQLite history written by the history store's own API,
read back through the studio's JSON twins (checked exactly) and in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from starlette.testclient import TestClient

from flowengine.flow.compiler import load_flow
from flowengine.history.transcript import when
from flowengine.studio.app import create_app, studio_from
from flowengine.studio.traffic import available
from tests.conftest import EXAMPLE_FLOWS
from tests.studio_history import DAY, write_history
from tests.studio_server import StudioProcess
from tests.test_studio_browser import browser as browser
from tests.test_studio_browser import page as page

BASE = "http://127.0.0.1:8700"
TAKEN = {
    ("screen", "welcome", "otherwise"),
    ("welcome", "open_check", "1, english"),
    ("open_check", "menu", "open office"),
    ("menu", "support", "2, support, help"),
}


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, target)
    return target


@pytest.fixture
def history(tmp_path: Path) -> tuple[str, dict[str, float]]:
    path = tmp_path / "flowengine-history.db"
    return f"sqlite:///{path}", write_history(path)


@pytest.fixture
def client(flows: Path, history: tuple[str, dict[str, float]]) -> Iterator[TestClient]:
    studio = studio_from(str(flows), history=history[0])
    with TestClient(create_app(studio), base_url=BASE) as client:
        yield client


def edges(counts: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    graph = load_flow(str(EXAMPLE_FLOWS / "main.yaml"))
    return [
        {"from": e.source, "to": e.target, "label": e.label, "count": counts.get(key, 0)}
        for e in graph.edges
        for key in [(e.source, e.target, e.label)]
    ]


def call(sid: str, started: float, *, support: bool) -> dict[str, Any]:
    return {
        "sid": sid,
        "flow": "main",
        "version": "v1",
        "direction": "inbound",
        "from": "+15551230000",
        "to": "+15550001111",
        "started_at": started,
        "ended_at": started + (12 if support else 3),
        "outcome": "completed" if support else "caller-hung-up",
        "ended_how": "completed",
        "path": ["screen", "welcome", "open_check", "menu", "support"]
        if support
        else ["screen", "welcome"],
        "started": when(started),
        "url": f"/history/{sid}",
    }


def test_the_traffic_twin_counts_each_edge_in_the_period_exactly(
    client: TestClient, history: tuple[str, dict[str, float]]
) -> None:
    starts = history[1]
    before = time.time()
    week = client.get("/flows/main/traffic.json").json()
    assert before - 7 * DAY - 5 <= week.pop("since") <= time.time() - 7 * DAY
    assert week == {
        "flow": "main",
        "period": "7d",
        "calls": 3,
        "outcomes": {"caller-hung-up": 1, "completed": 2},
        "edges": edges(dict.fromkeys(TAKEN, 2) | {("screen", "welcome", "otherwise"): 3}),
        "recent": [
            call("CA0003", starts["CA0003"], support=False),
            call("CA0001", starts["CA0001"], support=True),
            call("CA0002", starts["CA0002"], support=True),
        ],
    }
    month = client.get("/flows/main/traffic.json?period=30d").json()
    assert month["calls"] == 4
    assert [e["count"] for e in month["edges"] if e["count"]] == [4, 3, 3, 3]
    assert month["recent"][-1] == call("CA0OLD", starts["CA0OLD"], support=True)
    bad = client.get("/flows/main/traffic.json?period=1y")
    assert bad.status_code == 400
    assert bad.json() == {"error": "unknown period '1y': one of 24h, 7d, 30d, 90d"}
    assert client.get("/flows/nope/traffic.json").status_code == 404


def test_the_flow_page_draws_the_counts_and_lists_the_calls(client: TestClient) -> None:
    html = client.get("/flows/main").text
    assert 'data-source="screen" data-target="welcome" data-count="3"' in html
    assert 'data-source="menu" data-target="support" data-count="2"' in html
    assert 'data-source="menu" data-target="sales" data-count="0"' in html
    assert '<text x="' in html and ">3 calls</text>" in html
    assert 'style="stroke-width:8.0"' in html  # the busiest line, drawn widest
    assert "3 calls in the last 7 days" in html
    assert html.count('href="/history/CA000') == 3
    assert "CA0OLD" not in html
    assert "4 calls in the last 30 days" in client.get("/flows/main?period=30d").text


def test_a_call_opens_as_the_transcript_calls_show_prints_escaped(
    client: TestClient, history: tuple[str, dict[str, float]], tmp_path: Path
) -> None:
    url = history[0]
    shown = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "calls", "--history", url, "show", "CA0001"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = client.get("/history/CA0001.json").json()
    assert data["text"] == shown
    assert data["lines"] == shown.splitlines()
    assert data["sid"] == "CA0001" and data["outcome"] == "completed"
    assert "  Say: Press 2 for <script>alert(1)</script> support." in data["lines"]
    page = client.get("/history/CA0001").text
    assert "Press 2 for &lt;script&gt;alert(1)&lt;/script&gt; support." in page
    assert "<script>alert(1)" not in page
    missing = client.get("/history/CA9999.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no call 'CA9999' in the history"}


def test_without_a_history_there_is_no_traffic(flows: Path) -> None:
    studio = studio_from(str(flows))
    with TestClient(create_app(studio), base_url=BASE) as client:
        assert 'id="traffic"' not in client.get("/flows/main").text
        assert "data-count" not in client.get("/flows/main").text
        assert client.get("/flows/main/traffic.json").status_code == 404
        assert client.get("/history/CA0001.json").status_code == 404


def test_the_studio_only_reads_a_history_file_that_is_there(tmp_path: Path) -> None:
    assert available(f"sqlite:///{tmp_path}/none.db") is None
    assert not (tmp_path / "none.db").exists()
    (tmp_path / "there.db").write_bytes(b"")
    assert available(f"sqlite:///{tmp_path}/there.db") == f"sqlite:///{tmp_path}/there.db"
    assert available(None) is None


def test_in_the_browser_the_diagram_shows_counts_and_a_call_opens(
    page: Page,
    flows: Path,
    tmp_path: Path,
) -> None:
    # The default history: the file `flowengine serve` keeps beside its SQLite store,
    # in the folder the studio runs in.
    write_history(flows.parent / "flowengine-history.db")
    server = StudioProcess(flows, tmp_path / "studio.log")
    try:
        page.goto(server.base + "/flows/main")
        edge = page.locator('.edge[data-source="menu"][data-target="support"]')
        expect(edge).to_have_attribute("data-count", "2")
        expect(edge.locator(".edge-count")).to_have_text("2 calls")
        expect(page.locator("#traffic-total")).to_contain_text("3 calls in the last 7 days")
        page.get_by_label("Calls in the").select_option("30d")
        page.get_by_role("button", name="Show").click()
        expect(edge.locator(".edge-count")).to_have_text("3 calls")
        page.get_by_role("link", name="CA0001").click()
        expect(page.locator("#call-transcript")).to_contain_text(
            "Say: Press 2 for <script>alert(1)</script> support."
        )
        expect(page.get_by_role("heading", name="Call CA0001")).to_be_visible()
    finally:
        server.stop()
