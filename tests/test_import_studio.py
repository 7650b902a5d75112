"""`flowengine import studio`: Studio exports in, flows that load, lint and behave the same out.

Behaviour is checked by scenarios (tests/fixtures/studio/scenarios/) played on the imported
flows, not by comparing YAML text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowengine.cli import main
from flowengine.flow.compiler import compile_source

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "studio"
SCENARIOS = FIXTURES / "scenarios"
SUBFLOW = "FW00000000000000000000000000000001"


def import_into(folder: Path, fixture: str, name: str | None = None, *args: str) -> Path:
    flows = folder / "flows"
    output = flows / f"{name or Path(fixture).stem}.yaml"
    assert main(["import", "studio", str(FIXTURES / fixture), "-o", str(output), *args]) == 0
    return output


def play(folder: Path, scenario: str, capsys: pytest.CaptureFixture[str]) -> str:
    target = folder / "scenarios"
    target.mkdir(exist_ok=True)
    shutil.copy(SCENARIOS / scenario, target / scenario)
    capsys.readouterr()
    code = main(["test", str(target / scenario)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed" in out
    return out


def lint(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    code = main(["lint", str(folder / "flows")])
    out = capsys.readouterr().out
    assert code == 0, out  # warnings are allowed, errors are not
    return out


@pytest.mark.parametrize(
    "fixture",
    [
        "voice_menu.json",
        "voice_connect.json",
        "conditions.json",
        "outbound.json",
        "legacy.json",
        "data_dips.json",
    ],
)
def test_hand_made_exports_import_lint_and_behave(
    fixture: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_into(tmp_path, fixture)
    lint(tmp_path, capsys)
    play(tmp_path, fixture.replace(".json", ".yaml"), capsys)


def test_a_text_conversation_imports_as_a_text_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = import_into(tmp_path, "sms_survey.json")
    assert "channel: sms" in flow.read_text()
    lint(tmp_path, capsys)
    play(tmp_path, "sms_survey.yaml", capsys)


def test_unsupported_widgets_keep_the_caller_safe_and_are_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_into(tmp_path, "billing_subflow.json", "billing")
    import_into(tmp_path, "voice_other.json", None, "--subflow", f"{SUBFLOW}=billing")
    out = lint(tmp_path, capsys)
    for widget in ("pay (capture-payments)", "flex (send-to-flex)", "survey (sms-survey-bot)"):
        assert f"stands in for the Studio widget {widget}" in out
    assert "FE240" in out
    play(tmp_path, "voice_other.yaml", capsys)
    report = (tmp_path / "flows" / "voice_other.import.md").read_text()
    assert "| pay | capture-payments | `pay` | ✖ needs you |" in report


def test_the_flow_text_names_the_widgets_and_keeps_account_values_in_settings(
    tmp_path: Path,
) -> None:
    text = import_into(tmp_path, "voice_menu.json").read_text()
    assert "# Studio: menu (gather-input-on-call)" in text
    assert "sales_number: ${SALES_NUMBER:-+15551230001}" in text
    assert "+15551230001" not in text.split("states:")[1]  # only in the settings
    assert "offset" not in text
    # the order follows the call: the greeting, then the menu, then what the menu leads to
    order = [text.index(f"\n  {s}:\n") for s in ("welcome", "menu", "sales", "support")]
    assert order == sorted(order)


def test_settings_from_the_environment_change_the_number_dialled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowengine.runtime.interpreter import Event, step

    text = import_into(tmp_path, "voice_menu.json").read_text()
    graph = compile_source(text, "voice_menu.yaml", {"SALES_NUMBER": "+15559990000"})
    call = {"CallSid": "CA" + "1" * 32, "From": "+15551112222", "To": "+15550001111"}
    first = step(graph, None, Event("call", call))
    result = step(graph, first.session, Event("gather", {**call, "Digits": "1"}, "menu"))
    assert "<Number>+15559990000</Number>" in result.twiml


@pytest.mark.parametrize(
    "fixture",
    [
        "twilio-autodialer.json",
        "dtolb-gd-poc.json",
        "twilio-studio-requestbin.json",
        "aps-ivr-integration.json",
    ],
)
def test_real_public_exports_lint_without_errors_and_their_scenarios_pass(
    fixture: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_into(tmp_path, f"real/{fixture}")
    lint(tmp_path, capsys)
    play(tmp_path, fixture.replace(".json", ".yaml"), capsys)


def test_the_older_format_reads_like_the_new_one(tmp_path: Path) -> None:
    text = import_into(tmp_path, "real/aps-ivr-integration.json").read_text()
    assert "# Studio: KeyPressed (split-based-on)" not in text  # folded into the gather
    assert "'2': InvokeAPS" in text
    assert "FF" not in text.split("states:")[1].replace("FF0", "")  # no sids left


@pytest.mark.parametrize(
    ("fixture", "place", "words"),
    [
        ("bad/not-json.json", "not-json.json:3:", "this is not JSON"),
        ("bad/not-studio.json", "not-studio.json", "this is not a Twilio Studio flow"),
        (
            "bad/missing-widget.json",
            "widget 'welcome', transition 'audioComplete'",
            "it goes to 'mian_menu', and there is no widget of that name",
        ),
    ],
)
def test_bad_input_is_refused_with_the_place_named_and_nothing_written(
    fixture: str, place: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "flows" / "out.yaml"
    assert main(["import", "studio", str(FIXTURES / fixture), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert place in err and words in err
    assert "hint:" in err
    assert not (tmp_path / "flows").exists()


def test_an_existing_flow_is_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = import_into(tmp_path, "legacy.json")
    output.write_text("start: mine\nstates: {mine: {hangup: true}}\n")
    assert main(["import", "studio", str(FIXTURES / "legacy.json"), "-o", str(output)]) == 2
    assert "exists" in capsys.readouterr().err
    assert output.read_text().startswith("start: mine")
    assert (
        main(["import", "studio", str(FIXTURES / "legacy.json"), "-o", str(output), "--force"]) == 0
    )
    assert "Press 1 for hours" in output.read_text()


def test_the_report_reads_for_people(tmp_path: Path) -> None:
    import_into(tmp_path, "real/twilio-autodialer.json")
    report = (tmp_path / "flows" / "twilio-autodialer.import.md").read_text()
    assert "| announce | say-play | `announce` | ✔ same |" in report
    assert "its TaskRouter priority, task_attributes are not carried over" in report
    assert "place this call with `flowengine call" in report
    assert "`flow.data.reason` (a REST API parameter) is read as `vars.reason`" in report


def test_data_dips_map_onto_fetch_when_the_language_has_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from flowengine.importers.studio.support import supports
    from flowengine.runtime.interpreter import Event, step

    import_into(tmp_path, "billing_subflow.json", "billing")
    flow = import_into(tmp_path, "voice_other.json", None, "--subflow", f"{SUBFLOW}=billing")
    states = yaml.safe_load(flow.read_text())["states"]
    report = (tmp_path / "flows" / "voice_other.import.md").read_text()
    if supports("fetch"):  # issue 14's data dip is in the flow language
        assert states["lookup"]["fetch"]["url"].startswith("https://crm.example.com/customers")
        assert states["lookup"]["fetch"]["save"] == "lookup"
        assert states["score"]["fetch"]["form"] == {"phone": "{{call.from}}"}
        assert "vars.lookup.name" in states["greet"]["say"]
        return
    # Until then: the state goes on as Studio does when the request fails, and says so.
    assert states["lookup"] == {
        "x-studio-unsupported": "lookup (make-http-request)",
        "next": "sorry",
    }
    assert "flowengine has no data dip (fetch) yet" in report
    assert "# The Studio request, not yet made by flowengine:" in flow.read_text()
    graph = compile_source(flow.read_text(), "voice_other.yaml", {})
    call = {"CallSid": "CA" + "2" * 32, "From": "+15551112222", "To": "+15550001111"}
    first = step(graph, None, Event("call", call))
    for digit in ("6", "7"):
        result = step(graph, first.session, Event("gather", {**call, "Digits": digit}, "menu"))
        assert "Sorry, something went wrong." in result.twiml
        assert result.session.ended


def test_a_split_on_a_computed_value_tests_a_copy_of_it() -> None:
    import yaml

    from flowengine.importers.studio import import_definition
    from flowengine.importers.studio.definition import parse

    definition = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingCall", "next": "open"}],
            },
            {
                "name": "open",
                "type": "split-based-on",
                "properties": {"input": "{{ 'now' | date: '%H:%M' }}"},
                "transitions": [
                    {"event": "noMatch", "next": "closed"},
                    {
                        "event": "match",
                        "next": "closed",
                        "conditions": [{"type": "is_after_time", "value": "5:30 PM"}],
                    },
                ],
            },
            {
                "name": "closed",
                "type": "say-play",
                "properties": {"say": "We are closed."},
                "transitions": [],
            },
        ]
    }
    imported = import_definition(parse(definition, "inline.json"), "hours")
    state = yaml.safe_load(imported.yaml)["states"]["open"]
    assert state["set"] == {"open_input": "{{ 'now' | date: '%H:%M' }}"}
    assert state["switch"][0]["when"] == {"var": "vars.open_input", "after_time": "17:30"}
    assert "it reads the clock" in imported.report
    graph = compile_source(imported.yaml, "hours.yaml", {})
    assert graph.start == "open"


def test_the_fetch_mapping_follows_issue_14s_syntax(monkeypatch: pytest.MonkeyPatch) -> None:
    """The YAML of a fetch with a JSON body (its behaviour: data_dips.json's scenarios)."""
    from flowengine.flow.loader import parse
    from flowengine.importers.studio import data, import_file

    monkeypatch.setattr(data, "supports", lambda key: key == "fetch")
    imported = import_file(FIXTURES / "real" / "twilio-studio-requestbin.json", "requestbin")
    states = parse(imported.yaml).data["states"]  # YAML 1.2, as flowengine reads it
    fetch = states["callback"]["fetch"]
    assert fetch["method"] == "POST" and fetch["save"] == "callback"
    assert fetch["body"]["inbound"]["inboundText"] == "{{vars.intro_body}}"
    assert fetch["body"]["completed"] == "false"
    assert states["callback"]["on"] == {"ok": "ack"} and states["callback"]["next"] == "ack"
    assert "{{vars.callback.message}}" in states["ack"]["reply"]


def test_the_user_picks_where_unsupported_widgets_send_the_caller(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flowengine.runtime.interpreter import Event, step

    args = ("--subflow", f"{SUBFLOW}=billing", "--fallback", "sorry")
    flow = import_into(tmp_path, "voice_other.json", None, *args)
    assert "\n  fallback:" not in flow.read_text()  # no apology state of its own
    graph = compile_source(flow.read_text(), "voice_other.yaml", {})
    call = {"CallSid": "CA" + "3" * 32, "From": "+15551112222", "To": "+15550001111"}
    first = step(graph, None, Event("call", call))
    result = step(graph, first.session, Event("gather", {**call, "Digits": "3"}, "menu"))
    assert "not available" in result.twiml and "Sorry, something went wrong." in result.twiml
    output = tmp_path / "other" / "x.yaml"
    bad = ["import", "studio", str(FIXTURES / "voice_other.json"), "-o", str(output)]
    assert main([*bad, "--fallback", "nowhere"]) == 2
    assert "--fallback: there is no widget 'nowhere' in this flow" in capsys.readouterr().err
    assert not output.parent.exists()


def test_a_widget_looping_into_itself_ends_as_studios_tenth_run_does() -> None:
    from flowengine.importers.studio import import_definition
    from flowengine.importers.studio.definition import parse
    from flowengine.runtime.interpreter import Event, step

    definition = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingCall", "next": "count"}],
            },
            {
                "name": "count",
                "type": "set-variables",
                "properties": {"variables": [{"key": "n", "value": "1"}]},
                "transitions": [{"event": "next", "next": "count"}],
            },
        ]
    }
    imported = import_definition(parse(definition, "loop.json"), "loop")
    assert "Studio stops at the 10th run" in imported.report
    graph = compile_source(imported.yaml, "loop.yaml", {})  # no endless loop to refuse
    call = {"CallSid": "CA" + "4" * 32, "From": "+15551112222", "To": "+15550001111"}
    result = step(graph, None, Event("call", call))
    assert result.session.ended and "<Hangup/>" in result.twiml
    assert result.session.vars == {"n": "1"}


def _say_flow(text: str) -> dict[str, object]:
    return {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingCall", "next": "hello"}],
            },
            {"name": "hello", "type": "say-play", "properties": {"say": text}, "transitions": []},
        ]
    }


def test_a_bare_unknown_name_is_kept_and_flagged_not_refused() -> None:
    import yaml

    from flowengine.importers.studio import import_definition
    from flowengine.importers.studio.definition import parse
    from flowengine.runtime.interpreter import Event, step

    text = "Hi {{ foo }}, {{ foo.bar | upcase }}.{% if foo == 'foo' %} Same.{% endif %} Bye."
    imported = import_definition(parse(_say_flow(text), "inline.json"), "bare")
    say = yaml.safe_load(imported.yaml)["states"]["hello"]["say"]
    assert say == (
        "Hi {{ vars.UNMAPPED_foo }}, {{ vars.UNMAPPED_foo_bar | upcase }}."
        "{% if vars.UNMAPPED_foo == 'foo' %} Same.{% endif %} Bye."
    )
    assert "`foo` has no flowengine equivalent" in imported.report
    assert "`foo.bar` has no flowengine equivalent" in imported.report
    graph = compile_source(imported.yaml, "bare.yaml", {})
    call = {"CallSid": "CA" + "3" * 32, "From": "+15551112222", "To": "+15550001111"}
    twiml = step(graph, None, Event("call", call)).twiml
    assert "Hi , . Bye." in twiml


def test_widgets_whose_names_differ_only_by_case_keep_their_own_values() -> None:
    from flowengine.importers.studio import import_definition
    from flowengine.importers.studio.definition import parse
    from flowengine.runtime.interpreter import Event, step

    def ask(name: str, then: str) -> dict[str, object]:
        return {
            "name": name,
            "type": "gather-input-on-call",
            "properties": {"say": f"Press a key for {name}.", "number_of_digits": 1},
            "transitions": [{"event": "keypress", "next": then}, {"event": "timeout"}],
        }

    definition = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingCall", "next": "Menu"}],
            },
            ask("Menu", "menu"),
            ask("menu", "tell"),
            {
                "name": "tell",
                "type": "say-play",
                "properties": {
                    "say": "First {{widgets.Menu.Digits}}, then {{widgets.menu.Digits}}."
                },
                "transitions": [],
            },
        ]
    }
    imported = import_definition(parse(definition, "inline.json"), "cases")
    graph = compile_source(imported.yaml, "cases.yaml", {})
    call = {"CallSid": "CA" + "4" * 32, "From": "+15551112222", "To": "+15550001111"}
    first = step(graph, None, Event("call", call))
    second = step(graph, first.session, Event("gather", {**call, "Digits": "1"}, "Menu"))
    assert "Press a key for menu." in second.twiml
    last = step(graph, second.session, Event("gather", {**call, "Digits": "2"}, "menu"))
    assert "First 1, then 2." in last.twiml


def test_the_editor_schema_line_points_at_the_projects_schemas_or_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A project laid out by `flowengine init`: flows/ and schemas/ side by side.
    project = tmp_path / "project"
    assert main(["init", str(project)]) == 0
    schema = project / "schemas" / "flow.schema.json"
    assert schema.is_file()
    for output in (project / "flows" / "menu.yaml", project / "flows" / "sub" / "menu.yaml"):
        main(["import", "studio", str(FIXTURES / "voice_menu.json"), "-o", str(output)])
        first = output.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), first
        pointed = (output.parent / first.split("$schema=", 1)[1]).resolve()
        assert pointed == schema.resolve()
    # No schemas/ next to the flows folder: no line pointing at nothing.
    alone = tmp_path / "alone" / "flows" / "menu.yaml"
    assert main(["import", "studio", str(FIXTURES / "voice_menu.json"), "-o", str(alone)]) == 0
    assert "$schema" not in alone.read_text()
    capsys.readouterr()
    assert main(["import", "studio", str(FIXTURES / "voice_menu.json")]) == 0
    assert "$schema" not in capsys.readouterr().out


def test_the_record_call_widget_starts_twilios_whole_call_recording(tmp_path: Path) -> None:
    import re

    from flowengine.runtime.interpreter import Event, step

    import_into(tmp_path, "billing_subflow.json", "billing")
    flow = import_into(tmp_path, "voice_other.json", None, "--subflow", f"{SUBFLOW}=billing")
    report = (tmp_path / "flows" / "voice_other.import.md").read_text()
    graph = compile_source(flow.read_text(), "voice_other.yaml", {})
    call = {"CallSid": "CA" + "5" * 32, "From": "+15551112222", "To": "+15550001111"}
    twiml = step(graph, None, Event("call", call)).twiml
    # Studio's widget: record_call true, trim do-not-trim; the call goes on to the menu.
    started = re.search(r"<Start><Recording ([^>]*)/></Start>", twiml)
    assert started, twiml
    assert 'trim="do-not-trim"' in started.group(1)
    assert twiml.index("<Start>") < twiml.index("<Gather")
    assert "records the call from here on" in report
