"""`flowengine simulate` with --inputs: transcripts, hand-overs, texts, exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from flowengine.commands import simulate
from tests.conftest import EXAMPLE_FLOWS

ROOT = Path(__file__).resolve().parent.parent
MAIN = str(EXAMPLE_FLOWS / "main.yaml")
OPEN = "2026-03-02T10:00 America/New_York"  # a Monday morning in New York
CLOSED = "2026-03-02T23:30:00Z"  # 18:30 in New York


def simulate_run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    simulate.configure(parser)
    return simulate.run(parser.parse_args(list(argv)))


def test_french_caller_through_support_back_to_voicemail(
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs = "9,silence,2,1,queue:leave,record:recorded"
    assert simulate_run(MAIN, "--at", OPEN, "--from", "+15551112222", "--inputs", inputs) == 0
    out = capsys.readouterr().out
    assert out == (
        f"Simulating {MAIN} (voice): +15551112222 calling +15550009999\n"
        "Clock: 2026-03-02T10:00:00-05:00\n"
        "  Play: https://assets.example.com/acme-chime.mp3\n"
        "  Say [Polly.Joanna, en-US]: Thank you for calling Acme. For English, press 1 or say "
        "English. Pour le français, appuyez sur 9 ou dites français.\n"
        "  Gather: waiting for keys or speech (1 key)\n"
        "[main:welcome] keys, say <words>, Enter for silence, hangup> 9\n"
        "  Say [Polly.Celine, fr-FR]: Pour les ventes, appuyez sur 1. Pour le support, appuyez "
        "sur 2. Pour l'accueil, appuyez sur 0.\n"
        "  Gather: waiting for keys or speech (1 key)\n"
        "[main:menu] keys, say <words>, Enter for silence, hangup> silence\n"
        "  Say [Polly.Celine, fr-FR]: Désolé, je n'ai rien entendu.\n"
        "  Say [Polly.Celine, fr-FR]: Pour les ventes, appuyez sur 1. Pour le support, appuyez "
        "sur 2. Pour l'accueil, appuyez sur 0.\n"
        "  Gather: waiting for keys or speech (1 key)\n"
        "[main:menu] keys, say <words>, Enter for silence, hangup> 2\n"
        "  Say [Polly.Celine, fr-FR]: Un instant, s'il vous plaît.\n"
        "  Redirect: /voice/support\n"
        "  (hand-over to flow 'support', state 'triage')\n"
        "  Say [Polly.Joanna, en-US]: Support. To wait for the next agent, press 1 or say agent.\n"
        "  Pause: 1 s\n"
        "  Say [Polly.Joanna, en-US]: To join the outage bridge, press 2. For an urgent problem, "
        "press 3. For our old system, press 4.\n"
        "  Gather: waiting for keys or speech (1 key)\n"
        "[support:triage] keys, say <words>, Enter for silence, hangup> 1\n"
        "  Say [Polly.Joanna, en-US]: All our agents are busy. Please stay on the line.\n"
        "  Enqueue: waiting in queue support\n"
        "    (while waiting) Say [Polly.Joanna, en-US]: You are number 1 in line. Thank you for "
        "waiting.\n"
        "    (while waiting) Play: https://assets.example.com/hold-music.mp3 (x2)\n"
        "    (the wait flow ends: Twilio plays it again while the caller waits)\n"
        "[support:queue] queue outcome [bridged/bridging-in-process/error/hangup/leave/"
        "redirected/redirected-from-bridged/queue-full/system-error] (Enter = bridged), "
        "wait[:seconds]> queue:leave\n"
        "  Redirect: /voice/main?state=voicemail\n"
        "  (hand-over to flow 'main', state 'voicemail')\n"
        "  Say [Polly.Celine, fr-FR]: Laissez un message après le bip.\n"
        "  Record: recording the caller (max 120 s, finish with #)\n"
        "[main:voicemail] record outcome [recorded/no-recording] (Enter = recorded)> "
        "record:recorded\n"
        "  SMS to +15551112222: Thanks for calling Acme. We got your message and will call you "
        "back on +15551112222.\n"
        "  Say [Polly.Celine, fr-FR]: Merci. Nous vous rappellerons bientôt.\n"
        "  Say [Polly.Celine, fr-FR]: Au revoir.\n"
        "  Hangup\n"
        "Call ended: hangup in main:goodbye\n"
    )


def test_after_hours_goes_to_voicemail(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--at", CLOSED, "--inputs", "1, record:no-recording") == 0
    out = capsys.readouterr().out
    assert "  Say [Polly.Joanna, en-US]: Our office is closed." in out
    assert "For sales" not in out
    assert out.endswith(
        "  Say [Polly.Joanna, en-US]: Goodbye.\n  Hangup\nCall ended: hangup in main:goodbye\n"
    )


def test_dial_outcome_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--at", OPEN, "--inputs", "1,speech:sales,dial:completed") == 0
    out = capsys.readouterr().out
    assert "  Dial: +15551230001, +15551230002\n" in out
    assert "(Enter = completed)> dial:completed\n" in out


def test_blocked_caller_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--from", "+15550000666", "--inputs", "") == 0
    assert capsys.readouterr().out.endswith("  Reject (busy)\nCall ended: reject in main:blocked\n")


def test_inputs_run_out_while_waiting(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--at", OPEN, "--inputs", "1") == 1
    captured = capsys.readouterr()
    assert (
        captured.err == "error: the inputs ran out while the call waits on a gather in main:menu\n"
    )


def test_inputs_left_after_the_call_ended(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--at", OPEN, "--inputs", "1,hangup,2") == 1
    captured = capsys.readouterr()
    assert "  (the caller hangs up)\nCall ended: caller-hangup in main:menu\n" in captured.out
    assert captured.err == "error: the call ended before these inputs: 2\n"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            "dial:busy",
            "--inputs item 1: 'dial:busy' answers a dial, "
            "but the call is waiting on a menu (gather)",
        ),
        (
            "1,1,maybe",
            "--inputs item 3: 'maybe' is not an outcome of a dial; "
            "choose one of: completed, answered, busy, no-answer, failed, canceled",
        ),
        (
            "1,1,record:recorded",
            "--inputs item 3: 'record:recorded' answers a record, "
            "but the call is waiting on a dial",
        ),
        (
            "hello",
            "--inputs item 1: 'hello' is not an answer to a menu: "
            "press keys (0-9, *, #), speech:<words>, silence, or hangup",
        ),
    ],
    ids=["outcome-at-menu", "unknown-outcome", "wrong-verb", "words-without-speech"],
)
def test_bad_inputs_are_usage_errors(
    inputs: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert simulate_run(MAIN, "--at", OPEN, "--inputs", inputs) == 2
    assert capsys.readouterr().err == f"flowengine simulate: error: {message}\n"


def test_outside_redirect_ends_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    support = str(EXAMPLE_FLOWS / "support.yaml")
    assert simulate_run(support, "--inputs", "4") == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "  Redirect: https://legacy.acme.example.com/ivr\n"
        "  (the call leaves for https://legacy.acme.example.com/ivr; the simulation ends)\n"
        "Call ended: redirect in support:legacy\n"
    )


def test_missing_handover_flow_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused before the call starts, as the server refuses it (unknown-flow), exit 3.
    (tmp_path / "solo.yaml").write_text((EXAMPLE_FLOWS / "support.yaml").read_text())
    assert simulate_run(str(tmp_path / "solo.yaml"), "--inputs", "3,dial:busy") == 3
    err = capsys.readouterr().err
    assert f"{tmp_path}/solo.yaml:62:22: FE216 there is no flow 'main' (main.yaml)" in err


def test_flows_option_finds_the_other_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "solo.yaml").write_text((EXAMPLE_FLOWS / "support.yaml").read_text())
    flows = str(EXAMPLE_FLOWS)
    argv = (str(tmp_path / "solo.yaml"), "--flows", flows, "--inputs", "3,dial:busy,hangup")
    assert simulate_run(*argv) == 0
    assert "  (hand-over to flow 'main', state 'voicemail')\n" in capsys.readouterr().out


def test_hold_flow_with_params(capsys: pytest.CaptureFixture[str]) -> None:
    hold = str(EXAMPLE_FLOWS / "hold.yaml")
    assert simulate_run(hold, "--param", "QueueTime=900", "--inputs", "") == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "  Say [Polly.Joanna, en-US]: Sorry for the long wait. You can leave a message instead.\n"
        "  Leave\nCall ended: leave in hold:give_up\n"
    )


def test_text_conversation(capsys: pytest.CaptureFixture[str]) -> None:
    autoreply = str(EXAMPLE_FLOWS / "autoreply.yaml")
    assert simulate_run(autoreply, "--from", "+15551112222", "--inputs", '"hi, there",where') == 0
    out = capsys.readouterr().out
    assert out.split("\n", 2)[2] == (
        "[autoreply:menu] text> hi, there\n"
        "  Reply: Acme: text HOURS for opening times, ADDRESS for directions, CALLBACK to be "
        "called back.\n"
        "[autoreply:menu] text> where\n"
        "  Reply: Find us at 12 Harbour Street, Springfield.\n"
        "  Media: https://assets.example.com/acme-map.png\n"
    )


def test_flow_error_prints_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("start: a\nstates:\n  a:\n    say: Hi\n    next: nowhere\n")
    assert simulate_run(str(broken), "--inputs", "") == 3
    assert capsys.readouterr().err.startswith(f"{broken}:5:11: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--at", "tomorrow"), "--at: 'tomorrow' is not a date and time"),
        (("--at", "2026-03-02T10:00"), "--at: '2026-03-02T10:00' has no time zone"),
        (("--param", "QueueTime"), "--param: 'QueueTime' is not FIELD=VALUE"),
        (("--start", "nowhere"), "--start: flow 'main' has no state 'nowhere'"),
    ],
    ids=["bad-time", "no-zone", "bad-param", "bad-start"],
)
def test_usage_errors(
    argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert simulate_run(MAIN, *argv, "--inputs", "") == 2
    assert capsys.readouterr().err.startswith(f"flowengine simulate: error: {message}")


def test_start_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_run(MAIN, "--start", "voicemail", "--inputs", "record:no-recording") == 0
    out = capsys.readouterr().out
    assert (
        out.split("\n")[2] == "  Say [Polly.Joanna, en-US]: Please leave a message after the beep."
    )


def test_a_redirect_to_a_state_of_the_same_flow_continues_the_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = tmp_path / "relay.yaml"
    flow.write_text(
        "start: a\nstates:\n"
        "  a:\n    set: {seen: 'yes'}\n    say: Hold on.\n    redirect: {state: b}\n"
        "  b:\n    say: 'Seen {{ vars.seen }}.'\n    hangup: true\n",
        encoding="utf-8",
    )
    assert simulate_run(str(flow), "--inputs", "") == 0
    out = capsys.readouterr().out
    assert "  Redirect: /voice/relay/b/redirect\n  Say: Seen yes.\n  Hangup\n" in out
    assert out.endswith("Call ended: hangup in relay:b\n")
