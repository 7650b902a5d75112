"""`flowengine diff`: pairs of flow versions under tests/fixtures/diff, one per kind of change,
compared through the command line; golden Markdown and JSON beside each pair.

Update the goldens after an intended change with FLOWENGINE_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flowengine.cli import main
from flowengine.diff.words import as_text, word_diff

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "old").is_dir())
SINCE = "2026-01-01"


def run_diff(
    case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(FIXTURES / case)
    scenarios = (
        ["--scenarios", "scenarios.yaml"] if (FIXTURES / case / "scenarios.yaml").exists() else []
    )
    code = main(["diff", "old", "new", "--since", SINCE, *scenarios, *args])
    out, err = capsys.readouterr()
    return code, out, err


def golden(path: Path, text: str) -> None:
    if os.environ.get("FLOWENGINE_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with FLOWENGINE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_golden_reports(
    case: str, fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_diff(case, capsys, monkeypatch, "--format", fmt)
    assert err == ""
    assert code == (0 if case == "formatting" else 1)
    golden(FIXTURES / case / f"expected.{'md' if fmt == 'markdown' else 'json'}", out)


def changes_of(report: dict, flow: str) -> dict:  # type: ignore[type-arg]
    return next(f for f in report["flows"] if f["flow"] == flow)


def test_formatting_comments_and_descriptions_are_no_change_to_callers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_diff("formatting", capsys, monkeypatch)
    assert code == 0
    assert out.rstrip().endswith("no change to callers")
    assert "the file's text (formatting, comments, order of keys)" in out
    assert "the flow's description" in out


def test_a_renamed_state_is_recognised_not_removed_and_added(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_diff("rename", capsys, monkeypatch, "--format", "json")
    flow = changes_of(json.loads(out), "shop")
    assert code == 1
    assert [(s["status"], s["old"], s["new"]) for s in flow["states"]] == [
        ("renamed", "sales", "sales_team")
    ]
    # The menu's answer 1 still leads to the same state: not reported as sent elsewhere.
    (state,) = flow["states"]
    assert [(c["kind"], c["what"]) for c in state["changes"]] == [("prompt", "prompt")]
    assert state["changes"][0]["words"] == [
        {"op": "=", "text": "Connecting you to our"},
        {"op": "+", "text": "friendly"},
        {"op": "=", "text": "sales team."},
    ]
    assert flow["edges"] == []


def test_hours_moved_to_another_time_zone_differ_only_where_summer_time_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("hours-dst", capsys, monkeypatch, "--format", "json")
    (change,) = changes_of(json.loads(out), "office")["changes"]
    assert change["kind"] == "hours"
    # New York moves its clocks on 8 March and 1 November 2026, London on 29 March and 25
    # October: between those dates 09:00-17:00 New York is 13:00-21:00 in London.
    assert change["details"] == [
        "now closed 13:00-14:00 Europe/London on mon-fri from 2026-03-09 to 2026-03-27 (was open)",
        "now closed 13:00-14:00 Europe/London on mon-fri from 2026-10-26 to 2026-10-30 (was open)",
        "now open 21:00-22:00 Europe/London on mon-fri from 2026-03-09 to 2026-03-27 (was closed)",
        "now open 21:00-22:00 Europe/London on mon-fri from 2026-10-26 to 2026-10-30 (was closed)",
        "now closed 14:00-22:00 Europe/London on 2026-12-24 (thu) (was open)",
    ]


def test_every_kind_of_state_change_is_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("options", capsys, monkeypatch, "--format", "json")
    flow = changes_of(json.loads(out), "line")
    found = {
        (state["new"] or state["old"], c["kind"], c["what"], c["change"])
        for state in flow["states"]
        for c in state["changes"]
    }
    assert {
        ("menu", "prompt", "prompt", "changed"),
        ("menu", "option", "2", "changed"),
        ("menu", "option", "3", "removed"),
        ("menu", "option", "9", "added"),
        ("menu", "option", "buy", "added"),
        ("menu", "retry", "after the last retry", "changed"),
        ("menu", "retry", "retry.max", "changed"),
        ("menu", "timeout", "gather.timeout", "changed"),
        ("sales", "outcome", "no-answer", "changed"),
        ("sales", "timeout", "dial.timeout", "changed"),
        ("sales", "number", "dial.numbers", "changed"),
        ("voicemail", "attribute", "record.transcribe", "added"),
        ("thanks", "text", "sms.body", "changed"),
    } <= found
    statuses = {(s["status"], s["new"] or s["old"]) for s in flow["states"]}
    assert {("added", "billing"), ("removed", "promo")} <= statuses
    kinds = {(c["kind"], c["what"]) for c in flow["changes"]}
    assert {("voice", "voice"), ("setting", "settings.sales_line")} <= kinds


def test_the_scenarios_through_a_change_are_played_on_both_sides(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("options", capsys, monkeypatch, "--format", "json")
    scenarios = changes_of(json.loads(out), "line")["scenarios"]
    by_name = {s["name"]: s for s in scenarios}
    support = by_name["Pressing 2 reaches support"]
    assert (support["passed_old"], support["passed_new"]) == (True, False)
    assert "actual state:   billing" in support["failure"]
    assert support["touches"] == ["billing", "menu"]
    sales = by_name["Sales answer"]
    assert (sales["passed_old"], sales["passed_new"]) == (True, True)


def test_caller_experience_figures_follow_the_speaking_rate(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("options", capsys, monkeypatch, "--format", "json")
    old = changes_of(json.loads(out), "line")["experience"]["old"]
    # The menu says 19 words: 7.6 s at 150 words a minute; 0 (the front desk) dials at once.
    assert old["to_a_person"]["shortest"] == {"seconds": 7.6, "steps": 1, "path": ["menu", "desk"]}
    assert old["longest_prompt"] == {"state": "menu", "language": "", "seconds": 7.6, "words": 19}
    _, out, _ = run_diff(
        "options", capsys, monkeypatch, "--format", "json", "--words-per-minute", "100"
    )
    slow = changes_of(json.loads(out), "line")["experience"]["old"]
    assert slow["to_a_person"]["shortest"]["seconds"] == 11.4


def test_flows_added_and_removed_in_a_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("flows", capsys, monkeypatch, "--format", "json")
    report = json.loads(out)
    assert [(f["flow"], f["status"]) for f in report["flows"]] == [
        ("legacy", "removed"),
        ("main", "changed"),
        ("modern", "added"),
    ]


def test_text_report_shows_prompts_as_a_word_diff(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_diff("prompts", capsys, monkeypatch)
    assert code == 1
    assert "prompt (en): [audio:[-https://assets.example.com/chime.mp3]-]" not in out
    assert (
        "prompt (en): [-[audio:https://assets.example.com/chime.mp3]-] "
        "{+[audio:https://assets.example.com/chime-2027.mp3]+} For {+our+} opening hours"
    ) in out
    assert "no-input 2 (fr): {+Veuillez appuyer sur une touche.+}" in out
    assert out.rstrip().endswith("callers will notice changes")


def test_word_diff() -> None:
    pieces = word_diff("For sales, press 1.", "For sales or billing, press 1.")
    assert pieces == [("=", "For"), ("-", "sales,"), ("+", "sales or billing,"), ("=", "press 1.")]
    assert as_text(pieces) == "For [-sales,-] {+sales or billing,+} press 1."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "old/missing.yaml", "new"], "is not a file, a folder or a git revision"),
        (["diff", "old", "new", "--words-per-minute", "0"], "--words-per-minute must be above 0"),
    ],
    ids=["missing-side", "bad-rate"],
)
def test_errors_exit_2(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES / "rename")
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_side_that_does_not_compile_is_an_error_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("start: x\nstates:\n  x: {say: Hi, next: nowhere}\n")
    assert main(["diff", str(tmp_path / "a.yaml"), str(FIXTURES / "rename" / "new")]) == 2
    err = capsys.readouterr().err
    assert "does not compile" in err
    assert f"{tmp_path / 'a.yaml'}:3:" in err


def test_the_hours_example_in_the_docs_is_what_the_diff_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_diff("hours-dst", capsys, monkeypatch)
    docs = (Path(__file__).parent.parent / "docs" / "diff.md").read_text(encoding="utf-8")
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if "hours office" in line)
    block = lines[first : first + 6]
    assert all("now " in line for line in block[1:])
    for line in block:
        assert f"  {line}\n" in docs, line


def test_a_key_the_diff_does_not_know_is_compared_as_written() -> None:
    """A verb added to the language later (such as `fetch`) shows up without a change here."""
    from flowengine.diff.compare import attribute_kind
    from flowengine.diff.facts import state_attributes

    old = state_attributes({"fetch": {"url": "https://crm.example.com/a"}, "next": "menu"})
    new = state_attributes({"fetch": {"url": "https://crm.example.com/b", "timeout": 4}})
    assert old == {"fetch.url": "https://crm.example.com/a"}
    assert new == {"fetch.url": "https://crm.example.com/b", "fetch.timeout": 4}
    assert [attribute_kind(key) for key in new] == ["fetch", "timeout"]
