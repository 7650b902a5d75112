"""`flowengine import studio` with input it must refuse before writing anything: a flow name
the server would not serve, a channel the Studio flow does not answer on."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowengine.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "studio"


@pytest.mark.parametrize(
    "file_name",
    ["my flow.yaml", "acme.main.yaml", "-acme.yaml", "ménu.yaml"],
    ids=["space", "dot", "leading-dash", "accent"],
)
def test_a_file_name_that_cannot_be_a_flow_name_is_refused(
    file_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "flows" / file_name
    code = main(["import", "studio", str(FIXTURES / "voice_menu.json"), "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"'{Path(file_name).stem}' cannot be a flow's name" in err
    assert "hint:" in err and "Traceback" not in err
    assert not (tmp_path / "flows").exists()


@pytest.mark.parametrize(
    ("fixture", "channel", "branch"),
    [
        ("voice_menu.json", "sms", "'incomingMessage'"),
        ("sms_survey.json", "voice", "'incomingCall'"),
    ],
    ids=["no-text-branch", "no-call-branch"],
)
def test_a_channel_the_trigger_does_not_answer_on_is_refused(
    fixture: str, channel: str, branch: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "flows" / "out.yaml"
    args = ["import", "studio", str(FIXTURES / fixture), "--channel", channel, "-o", str(output)]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"--channel {channel}" in err and branch in err
    assert "hint:" in err
    assert not (tmp_path / "flows").exists()


def test_a_flow_that_cannot_be_written_is_exit_2_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flows").write_text("a file where the folder should be\n")
    output = tmp_path / "flows" / "acme.yaml"
    code = main(["import", "studio", str(FIXTURES / "voice_menu.json"), "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"cannot write {tmp_path / 'flows'}" in err


def _say_after_gather(text: str) -> dict[str, object]:
    return {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingCall", "next": "menu"}],
            },
            {
                "name": "menu",
                "type": "gather-input-on-call",
                "properties": {"say": "Press a key.", "number_of_digits": 1},
                "transitions": [{"event": "keypress", "next": "echo"}],
            },
            {
                "name": "echo",
                "type": "say-play",
                "properties": {"say": text},
                "transitions": [],
            },
        ]
    }


@pytest.mark.parametrize(
    "text",
    [
        "You pressed {{widgets['menu'].Digits}} from {{ trigger.call['From'] }}.",
        'You pressed {{ widgets["menu"]["Digits"] }} from {{trigger["call"].From}}.',
        "You pressed {{ widgets.menu.Digits }} from {{ trigger.call.From }}.",
    ],
    ids=["single-quoted-brackets", "double-quoted-brackets", "dots"],
)
def test_liquid_brackets_are_rewritten_like_dots(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flowengine.importers.studio import import_definition
    from flowengine.importers.studio.definition import parse

    imported = import_definition(parse(_say_after_gather(text), "inline.json"), "echo")
    assert "UNMAPPED" not in imported.yaml
    flow = tmp_path / "echo.yaml"
    flow.write_text(imported.yaml)
    capsys.readouterr()
    main(["simulate", str(flow), "--inputs", "7", "--from", "+15551112222"])
    assert "You pressed 7 from +15551112222." in capsys.readouterr().out


def test_a_widget_whose_text_cannot_load_is_named_as_studio_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    export = tmp_path / "export.json"
    export.write_text(json.dumps(_say_after_gather("You pressed {{ digits | shout }}.")))
    output = tmp_path / "flows" / "echo.yaml"
    assert main(["import", "studio", str(export), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    # The flow was not written: its lines mean nothing to the user, the widget does.
    assert "widget 'echo' (say-play)" in err and "unknown filter 'shout'" in err
    assert "echo.yaml:" not in err
    assert "hint:" in err
    assert not (tmp_path / "flows").exists()


def test_the_twilio_clis_json_output_is_read_as_the_docs_say(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    # `twilio api:studio:v2:flows:fetch --sid FW... -o json` prints a list of one Flow
    # resource (twilio-cli-core's BaseCommand.output wraps every result in an array).
    definition = json.loads((FIXTURES / "voice_menu.json").read_text())
    export = tmp_path / "acme-main.json"
    resource = {"sid": "FW1", "friendlyName": "Acme", "definition": definition}
    export.write_text(json.dumps([resource]))
    output = tmp_path / "flows" / "acme.yaml"
    code = main(["import", "studio", str(export), "-o", str(output)])
    assert code == 0, capsys.readouterr().err
    direct = tmp_path / "direct.yaml"
    assert main(["import", "studio", str(FIXTURES / "voice_menu.json"), "-o", str(direct)]) == 0
    body = output.read_text().split("\n", 3)[3]
    assert body == direct.read_text().split("\n", 3)[3]


def test_several_flows_in_one_file_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    definition = json.loads((FIXTURES / "voice_menu.json").read_text())
    export = tmp_path / "flows.json"
    export.write_text(json.dumps([{"definition": definition}, {"definition": definition}]))
    assert main(["import", "studio", str(export)]) == 2
    assert "2 flows" in capsys.readouterr().err


def test_an_initial_state_that_is_not_a_widget_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    definition = json.loads((FIXTURES / "voice_menu.json").read_text())
    definition["initial_state"] = "Nope"
    export = tmp_path / "export.json"
    export.write_text(json.dumps(definition))
    assert main(["import", "studio", str(export)]) == 2
    assert "initial_state 'Nope'" in capsys.readouterr().err
