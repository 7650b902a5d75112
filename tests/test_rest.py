"""`flowengine call`, `flowengine sms` and twilio_rest: the real twilio Client on a fake API."""

# The twilio_api fixture is imported, so every test that takes it "redefines" the name.
# ruff: noqa: F811

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from flowengine.commands import call, sms
from flowengine.twilio import rest as twilio_rest
from tests.twilio_fake import (  # noqa: F401
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    AUTH_TOKEN,
    Recorded,
    TwilioFake,
    twilio_api,
)

CALLS = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
TO, FROM = "+14155550100", "+14155550199"
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
MESSAGE_SID = re.compile(r"SM[0-9a-f]{32}")
PUBLIC = "https://ivr.example.com"


def run_cli(argv: Sequence[str]) -> int:
    """Only this feature's commands, so the test does not depend on the other command modules."""
    parser = argparse.ArgumentParser(prog="flowengine")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in (("call", call), ("sms", sms)):
        command = sub.add_parser(name)
        module.configure(command)
        command.set_defaults(_run=module.run)
    args = parser.parse_args(list(argv))
    return int(args._run(args))


def only_request(fake: TwilioFake) -> Recorded:
    assert len(fake.requests) == 1, fake.requests
    return fake.requests[0]


# --- successful requests: the exact request that went out ------------------------------------


def test_call_into_flow_sends_url_method_and_callback(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWENGINE_PUBLIC_URL", PUBLIC + "/")
    argv = ["call", "--to", TO, "--from", FROM, "acme main", "--state", "after hours"]
    argv += ["--status-callback", "https://ivr.example.com/status"]
    assert run_cli(argv) == 0

    sent = only_request(twilio_api)
    assert (sent.method, sent.path) == ("POST", CALLS)
    assert (sent.username, sent.password) == (ACCOUNT_SID, AUTH_TOKEN)
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.form == {
        "To": [TO],
        "From": [FROM],
        "Url": ["https://ivr.example.com/voice/acme%20main?state=after+hours"],
        "Method": ["POST"],
        "StatusCallback": ["https://ivr.example.com/status"],
    }
    out = capsys.readouterr().out
    assert out == twilio_api.responses[0]["sid"] + "\n"
    assert CALL_SID.fullmatch(out.strip())


def test_public_url_flag_overrides_environment(
    twilio_api: TwilioFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWENGINE_PUBLIC_URL", "https://old.example.com")
    argv = ["call", "--to", TO, "--from", FROM, "main", "--public-url", "http://127.0.0.1:8000"]
    assert run_cli(argv) == 0
    assert only_request(twilio_api).form["Url"] == ["http://127.0.0.1:8000/voice/main"]


def test_call_say_sends_escaped_inline_twiml(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["call", "--to", TO, "--from", FROM, "--say", "Tom & Jerry <3"]
    argv += ["--voice", "Polly.Joanna", "--language", "en-US"]
    assert run_cli(argv) == 0

    sent = only_request(twilio_api)
    assert sent.path == CALLS
    assert sent.form == {
        "To": [TO],
        "From": [FROM],
        "Twiml": [
            '<Response><Say language="en-US" voice="Polly.Joanna">'
            "Tom &amp; Jerry &lt;3</Say></Response>"
        ],
    }
    assert CALL_SID.fullmatch(capsys.readouterr().out.strip())


def test_sms_sends_body_every_media_url_and_callback(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sms", "--to", TO, "--from", FROM, "--body", "Your code is 1234 ✓"]
    argv += ["--media", "https://cdn.example.com/a.png", "--media", "https://cdn.example.com/b.jpg"]
    argv += ["--status-callback", "https://ivr.example.com/sms-status"]
    assert run_cli(argv) == 0

    sent = only_request(twilio_api)
    assert (sent.method, sent.path) == ("POST", MESSAGES)
    assert (sent.username, sent.password) == (ACCOUNT_SID, AUTH_TOKEN)
    assert sent.form == {
        "To": [TO],
        "From": [FROM],
        "Body": ["Your code is 1234 ✓"],
        "MediaUrl": ["https://cdn.example.com/a.png", "https://cdn.example.com/b.jpg"],
        "StatusCallback": ["https://ivr.example.com/sms-status"],
    }
    out = capsys.readouterr().out
    assert out == twilio_api.responses[0]["sid"] + "\n"
    assert MESSAGE_SID.fullmatch(out.strip())


def test_sms_with_media_only(twilio_api: TwilioFake) -> None:
    argv = ["sms", "--to", TO, "--from", FROM, "--media", "https://cdn.example.com/a.png"]
    assert run_cli(argv) == 0
    assert only_request(twilio_api).form == {
        "To": [TO],
        "From": [FROM],
        "MediaUrl": ["https://cdn.example.com/a.png"],
    }


def test_api_key_authenticates_as_the_key_on_the_account(
    twilio_api: TwilioFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("TWILIO_API_KEY", API_KEY)
    monkeypatch.setenv("TWILIO_API_SECRET", API_SECRET)
    assert run_cli(["sms", "--to", TO, "--from", FROM, "--body", "hi"]) == 0

    sent = only_request(twilio_api)
    assert sent.path == MESSAGES  # the account, not the key, names the resource
    assert (sent.username, sent.password) == (API_KEY, API_SECRET)


def test_api_base_with_a_path_prefix(
    twilio_api: TwilioFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SignalWire serves the same API below /api/laml on the space's host.
    twilio_api.path_prefix = "/api/laml"
    monkeypatch.setenv("TWILIO_API_BASE", twilio_api.base_url + "/api/laml/")
    client = twilio_rest.client_from_env()
    sid = twilio_rest.start_call(client, TO, FROM, url="https://ivr.example.com/voice/main")
    assert only_request(twilio_api).path == "/api/laml" + CALLS
    assert CALL_SID.fullmatch(sid)


def test_send_message_from_worker_threads(twilio_api: TwilioFake) -> None:
    client = twilio_rest.client_from_env()
    with ThreadPoolExecutor(max_workers=4) as pool:
        sids = list(
            pool.map(lambda i: twilio_rest.send_message(client, TO, FROM, f"n{i}"), range(12))
        )
    assert len(set(sids)) == 12
    assert sorted(r.field("Body") for r in twilio_api.requests) == sorted(
        f"n{i}" for i in range(12)
    )


# --- errors ----------------------------------------------------------------------------------


def test_api_error_prints_code_message_and_link(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "The 'To' number +15005550001 is not a valid phone number."
    twilio_api.fail_next(400, 21211, message)
    assert run_cli(["sms", "--to", "+15005550001", "--from", FROM, "--body", "hi"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "21211" in captured.err
    assert message in captured.err
    assert "https://www.twilio.com/docs/errors/21211" in captured.err


def test_api_error_is_typed_for_library_callers(twilio_api: TwilioFake) -> None:
    twilio_api.fail_next(400, 21211, "The 'To' number +15005550001 is not a valid phone number.")
    client = twilio_rest.client_from_env()
    with pytest.raises(twilio_rest.ApiError) as caught:
        twilio_rest.send_message(client, "+15005550001", FROM, "hi")
    error = caught.value
    assert (error.status, error.code) == (400, 21211)
    assert error.message == "The 'To' number +15005550001 is not a valid phone number."
    assert error.more_info == "https://www.twilio.com/docs/errors/21211"


def test_wrong_auth_token_is_an_api_error(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-the-token")
    assert run_cli(["call", "--to", TO, "--from", FROM, "--say", "hi"]) == 1
    err = capsys.readouterr().err
    assert "20003" in err
    assert "HTTP 401" in err
    assert "AuthToken was incorrect" in err
    assert "https://www.twilio.com/docs/errors/20003" in err


def test_unreachable_api_exits_1(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TWILIO_API_BASE", f"http://127.0.0.1:{port}")
    assert run_cli(["sms", "--to", TO, "--from", FROM, "--body", "hi"]) == 1
    assert "could not reach the API" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["call", "--to", "4155550100", "--from", FROM, "--say", "hi"],
        ["call", "--to", TO, "--from", "+1 415 555 0199", "--say", "hi"],
        ["call", "--to", "+04155550100", "--from", FROM, "main", "--public-url", PUBLIC],
        ["sms", "--to", "+1415555010012345", "--from", FROM, "--body", "hi"],
        ["sms", "--to", TO + "\n", "--from", FROM, "--body", "hi"],
        ["sms", "--to", TO, "--from", "Acme", "--body", "hi"],
    ],
    ids=["no-plus", "spaces", "leading-zero", "too-long", "trailing-newline", "alphanumeric"],
)
def test_non_e164_number_exits_2_before_any_request(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert run_cli(argv) == 2
    assert twilio_api.requests == []
    assert "E.164" in capsys.readouterr().err


def test_library_refuses_non_e164_before_any_request(twilio_api: TwilioFake) -> None:
    client = twilio_rest.client_from_env()
    with pytest.raises(twilio_rest.InvalidNumberError):
        twilio_rest.start_call(client, "555-0100", FROM, url="https://ivr.example.com/voice/x")
    assert twilio_api.requests == []


@pytest.mark.parametrize(
    ("unset", "set_", "named"),
    [
        (
            ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
            {},
            ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
        ),
        (["TWILIO_AUTH_TOKEN"], {}, ["TWILIO_AUTH_TOKEN"]),
        (["TWILIO_ACCOUNT_SID"], {}, ["TWILIO_ACCOUNT_SID"]),
        (
            ["TWILIO_ACCOUNT_SID"],
            {"TWILIO_API_KEY": API_KEY, "TWILIO_API_SECRET": API_SECRET},
            ["TWILIO_ACCOUNT_SID"],
        ),
        ([], {"TWILIO_API_KEY": API_KEY}, ["TWILIO_API_SECRET"]),
    ],
    ids=["nothing", "no-token", "no-sid", "key-without-account", "key-without-secret"],
)
def test_missing_credentials_exit_2_naming_the_variable(
    twilio_api: TwilioFake,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    unset: list[str],
    set_: dict[str, str],
    named: list[str],
) -> None:
    for name in unset:
        monkeypatch.delenv(name)
    for name, value in set_.items():
        monkeypatch.setenv(name, value)
    assert run_cli(["sms", "--to", TO, "--from", FROM, "--body", "hi"]) == 2
    err = capsys.readouterr().err
    assert all(name in err for name in named), err
    assert twilio_api.requests == []

    with pytest.raises(twilio_rest.CredentialsError) as caught:
        twilio_rest.client_from_env()
    assert list(caught.value.missing) == named


def test_client_from_explicit_mapping_ignores_process_environment(twilio_api: TwilioFake) -> None:
    env = {"TWILIO_API_BASE": twilio_api.base_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID}
    with pytest.raises(twilio_rest.CredentialsError, match="TWILIO_AUTH_TOKEN"):
        twilio_rest.client_from_env(env)
    client = twilio_rest.client_from_env({**env, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
    assert MESSAGE_SID.fullmatch(twilio_rest.send_message(client, TO, FROM, "hi"))


def test_bad_api_base_exits_2(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_API_BASE", "api.signalwire.com")
    assert run_cli(["sms", "--to", TO, "--from", FROM, "--body", "hi"]) == 2
    assert "TWILIO_API_BASE" in capsys.readouterr().err


def test_inline_twiml_over_4000_characters_is_refused(twilio_api: TwilioFake) -> None:
    client = twilio_rest.client_from_env()
    with pytest.raises(twilio_rest.TwimlTooLongError, match="4,001"):
        twilio_rest.start_call(client, TO, FROM, twiml="x" * 4001)
    assert twilio_api.requests == []
    twilio_rest.start_call(client, TO, FROM, twiml="x" * 4000)
    assert len(only_request(twilio_api).field("Twiml")) == 4000


def test_say_text_too_long_for_inline_twiml_exits_2(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["call", "--to", TO, "--from", FROM, "--say", "a" * 4000]) == 2
    assert "4,000" in capsys.readouterr().err
    assert twilio_api.requests == []


def test_flow_call_without_public_url_exits_2(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWENGINE_PUBLIC_URL", raising=False)
    assert run_cli(["call", "--to", TO, "--from", FROM, "main"]) == 2
    err = capsys.readouterr().err
    assert "FLOWENGINE_PUBLIC_URL" in err
    assert "--public-url" in err
    assert twilio_api.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["call", "--to", TO, "--from", FROM],
        ["call", "--to", TO, "--from", FROM, "main", "--say", "hi"],
        ["call", "--to", TO, "main", "--public-url", PUBLIC],
        ["sms", "--from", FROM, "--body", "hi"],
    ],
    ids=["neither-flow-nor-say", "flow-and-say", "no-from", "sms-no-to"],
)
def test_argparse_usage_errors_exit_2(twilio_api: TwilioFake, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_cli(argv)
    assert caught.value.code == 2
    assert twilio_api.requests == []


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (
            ["call", "--to", TO, "--from", FROM, "main", "--public-url", PUBLIC, "--voice", "man"],
            "--voice",
        ),
        (["call", "--to", TO, "--from", FROM, "--say", "hi", "--state", "menu"], "--state"),
        (
            ["call", "--to", TO, "--from", FROM, "--say", "hi", "--public-url", PUBLIC],
            "--public-url",
        ),
        (["sms", "--to", TO, "--from", FROM], "--body"),
    ],
    ids=["voice-with-flow", "state-with-say", "public-url-with-say", "sms-empty"],
)
def test_conflicting_options_exit_2(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    assert run_cli(argv) == 2
    assert flag in capsys.readouterr().err
    assert twilio_api.requests == []


# --- helpers ---------------------------------------------------------------------------------


def test_say_twiml_escapes_and_drops_characters_xml_cannot_carry() -> None:
    assert twilio_rest.say_twiml('a <b> & "c"\x00\x1b') == (
        '<Response><Say>a &lt;b&gt; &amp; "c"</Say></Response>'
    )
    with pytest.raises(ValueError, match="empty"):
        twilio_rest.say_twiml(" \x07 ")


def test_command_modules_do_not_import_twilio() -> None:
    # `flowengine --help` imports every command module; twilio must wait until run().
    code = "import sys, flowengine.commands.call, flowengine.commands.sms\n"
    code += "print('twilio' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_through_flowengine_cli_main(
    twilio_api: TwilioFake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only this feature's entries of the command table: other command modules may not exist yet.
    from flowengine import cli

    monkeypatch.setattr(cli, "COMMANDS", {name: cli.COMMANDS[name] for name in ("call", "sms")})
    assert cli.main(["sms", "--to", TO, "--from", FROM, "--body", "via main"]) == 0
    assert MESSAGE_SID.fullmatch(capsys.readouterr().out.strip())
    assert only_request(twilio_api).field("Body") == "via main"
