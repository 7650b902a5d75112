"""`flowengine report` and `flowengine replay` on calls recorded by a real app: Twilio-signed
webhooks through the example main flow, written by the history writer to a SQLite file."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

import pytest

from flowengine.cli import main
from flowengine.flow.graph import Edge
from flowengine.history import reporting
from flowengine.history.cli import with_store
from flowengine.history.record import CallRecord
from flowengine.history.stores import Filter, HistoryStore
from flowengine.history.stores.base import ScanRow
from flowengine.history.traffic import Traffic
from tests.conftest import Caller, Web
from tests.test_history_e2e import read_call

FIXTURES = Path(__file__).parent / "fixtures" / "history"


def settle(url: str, sids: list[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        calls = [read_call(url, sid) for sid in sids]
        if all(c is not None and c.ended_how for c in calls):
            return
        time.sleep(0.1)
    raise AssertionError("the history writer did not write the calls")


def record_calls(web: Web) -> list[Caller]:
    def hang_up(call: Caller) -> None:
        web.twilio.post("/status", {**call.params, "CallStatus": "completed"})

    a, b, c, d = (web.caller() for _ in range(4))
    doc = a.reply(a.reply(a.dial("main"), Digits="1"), Digits="1")  # sales
    a.reply(doc, DialCallStatus="completed")
    doc = b.reply(b.dial("main"), Digits="1")
    doc = b.reply(b.reply(doc, Digits=""), Digits="7")  # no-input, no-match
    b.reply(doc, Digits="0")  # the front desk: the caller hangs up while it rings
    c.reply(c.dial("main"), Digits="1")  # hangs up at the menu
    doc = d.reply(d.reply(d.dial("main"), Digits="1"), Digits="1")
    doc = d.reply(doc, DialCallStatus="busy")
    d.reply(doc, RecordingDuration="0")
    for call in (a, b, c, d):
        hang_up(call)
    return [a, b, c, d]


@pytest.fixture
def recorded(make_web: Callable[..., Web], tmp_path: Path) -> tuple[str, list[Caller]]:
    url = f"sqlite:///{tmp_path}/history.db"
    web = make_web(history_url=url)
    calls = record_calls(web)
    settle(url, [c.sid for c in calls])
    return url, calls


def test_report_counts_what_the_callers_did(
    recorded: tuple[str, list[Caller]], flows_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = recorded
    assert main(["report", str(flows_dir), "--history", url, "--flow", "main"]) == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    assert out.startswith("Flow main: 4 call(s)")
    assert ["hangup", "2", "50.0%"] in lines and ["caller-hung-up", "2", "50.0%"] in lines
    assert ["front_desk", "1", "100.0%"] in lines  # hung up where they got to
    assert ["menu", "1", "25.0%"] in lines
    assert ["menu", "5", "1", "1", "40.0%"] in lines  # answers, no-input, no-match, rate
    assert ["welcome", "4", "0", "0", "0.0%"] in lines
    assert any(line[:1] == ["1"] and len(line) == 5 for line in lines)  # one reached a person
    assert "screen > welcome > open_check > menu > sales > goodbye" in out
    for never in ("blocked", "after_hours", "support", "thanks"):
        assert [never] in lines
    assert ["welcome", "no-input", "open_check"] in lines  # a transition nobody took

    assert main(["report", str(flows_dir), "--history", url, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "# Flow main: 4 call(s)" in markdown and "| menu | 5 | 1 | 1 | 40.0% |" in markdown
    assert "# Flow support: 0 call(s)" in markdown

    page = flows_dir.parent / "report.html"
    args = ["report", str(flows_dir), "--history", url, "--flow", "main", "--format", "html"]
    assert main([*args, "-o", str(page)]) == 0
    html = page.read_text()
    assert "<script" not in html and "http://" not in html.split("<svg", 1)[0]
    if shutil.which("dot"):
        assert "<svg" in html and "(4)" in html  # the edge every call took, labelled
    else:
        assert "<td>4</td>" in html


def test_replay_against_the_same_flows_changes_nothing(
    recorded: tuple[str, list[Caller]], flows_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = recorded
    assert main(["replay", str(flows_dir), "--history", url, "--fail-on-change"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Replayed 4 call(s) against {flows_dir}: 4 the same, 0 changed")


def edit(flows: Path, old: str, new: str) -> None:
    path = flows / "main.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_replay_reports_changed_calls_by_the_first_state_that_differs(
    recorded: tuple[str, list[Caller]], flows_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, (a, b, _, d) = recorded
    git = ["git", "-C", str(flows_dir)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, *ident, "commit", "-qm", "live"], check=True)
    edit(flows_dir, '"0, operator, front desk": front_desk', '"0, operator, front desk": sales')
    edit(flows_dir, '"Connecting you to sales."', '"Putting you through to sales."')

    args = ["replay", str(flows_dir), "--history", url, "--format", "json"]
    assert main([*args, "--fail-on-change"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["calls"], report["same"], report["changed"]) == (4, 1, 3)
    groups = {g["where"]: sorted(c["sid"] for c in g["calls"]) for g in report["groups"]}
    assert groups == {"main:sales": sorted([a.sid, d.sid]), "main:menu": [b.sid]}
    (menu,) = [g for g in report["groups"] if g["where"] == "main:menu"]
    assert "sales" in menu["calls"][0]["detail"]

    # The committed revision is what the calls ran on.
    assert main(["replay", f"{flows_dir}@HEAD", "--history", url, "--fail-on-change"]) == 0
    assert "4 the same, 0 changed" in capsys.readouterr().out
    assert main(["replay", f"{flows_dir}@no-such-rev", "--history", url]) == 2


def test_a_sensitive_answer_is_not_replayed(
    make_web: Callable[..., Web], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "pin-flows"
    flows.mkdir()
    shutil.copy(FIXTURES / "pin.yaml", flows / "pin.yaml")
    url = f"sqlite:///{tmp_path}/history.db"
    web = make_web(flows_dir=str(flows), history_url=url)
    call = web.caller()
    call.reply(call.dial("pin"), Digits="4821")
    web.twilio.post("/status", {**call.params, "CallStatus": "completed"})
    settle(url, [call.sid])
    record: CallRecord | None = read_call(url, call.sid)
    assert record is not None and record.steps[1].input == "hidden"
    assert main(["replay", str(flows), "--history", url]) == 0
    out = capsys.readouterr().out
    assert "0 the same, 0 changed, 1 not replayable" in out
    assert "pin:pin  1 call(s)" in out and "sensitive" in out


def test_report_counts_the_same_past_the_trail_cache(
    recorded: tuple[str, list[Caller]], flows_dir: Path
) -> None:
    """Edges are added up from per-trail counts; trails past the cache's bound are counted
    as they come. Both ways must give the same figures."""
    url, _ = recorded
    graph = reporting.graphs(flows_dir, "main")[0]

    async def read(store: HistoryStore) -> list[ScanRow]:
        return [row async for row in store.scan(Filter(flow="main"))]

    rows = with_store(url, read)
    kept, uncached = Traffic(graph), Traffic(graph, trails_kept=0)
    for _sid, call in groupby(rows, key=lambda row: row[0]):
        steps = list(call)
        kept.add_call(steps)
        uncached.add_call(steps)
    assert kept.edges[Edge("welcome", "open_check", "1, english")] == 4
    assert kept.edges == uncached.edges and sum(kept.edges.values()) > 4
    assert kept.entries == uncached.entries and kept.entries["menu"] == 4
    assert kept.to_person == uncached.to_person and len(kept.to_person) == 1
    assert kept.paths == uncached.paths and kept.gathers == uncached.gathers
