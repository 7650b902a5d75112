"""An interactive `flowengine simulate` session, typed into stdin."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

from flowengine.commands import simulate
from tests.conftest import EXAMPLE_FLOWS

ROOT = Path(__file__).resolve().parent.parent
MAIN = str(EXAMPLE_FLOWS / "main.yaml")
OPEN = "2026-03-02T10:00 America/New_York"
MENU = "keys, say <words>, Enter for silence, hangup> "

SESSION = (
    f"Simulating {MAIN} (voice): +15550001111 calling +15550009999\n"
    "Clock: 2026-03-02T10:00:00-05:00\n"
    "  Play: https://assets.example.com/acme-chime.mp3\n"
    "  Say [Polly.Joanna, en-US]: Thank you for calling Acme. For English, press 1 or say "
    "English. Pour le français, appuyez sur 9 ou dites français.\n"
    "  Gather: waiting for keys or speech (1 key)\n"
    f"[main:welcome] {MENU}1\n"
    "  Say [Polly.Joanna, en-US]: For sales, press 1 or say sales. For support, press 2 or "
    "say support. To speak to the front desk, press 0.\n"
    "  Gather: waiting for keys or speech (1 key)\n"
    f"[main:menu] {MENU}hello\n"
    "  ? 'hello' is not an answer to a menu: press keys (0-9, *, #), say <words>, silence, "
    "or hangup\n"
    f"[main:menu] {MENU}say sales\n"
    "  Say [Polly.Joanna, en-US]: Connecting you to sales.\n"
    "  Dial: +15551230001, +15551230002\n"
    "[main:sales] dial outcome [completed/answered/busy/no-answer/failed/canceled] "
    "(Enter = completed)> busy\n"
    "  Say [Polly.Joanna, en-US]: Please leave a message after the beep.\n"
    "  Record: recording the caller (max 120 s, finish with #)\n"
    "[main:voicemail] record outcome [recorded/no-recording] (Enter = recorded)> \n"
    "  SMS to +15550001111: Thanks for calling Acme. We got your message and will call you "
    "back on +15550001111.\n"
    "  Say [Polly.Joanna, en-US]: Thank you. We will call you back soon.\n"
    "  Say [Polly.Joanna, en-US]: Goodbye.\n"
    "  Hangup\n"
    "Call ended: hangup in main:goodbye\n"
)
TYPED = "1\nhello\nsay sales\nbusy\n\n"


def args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    simulate.configure(parser)
    return parser.parse_args(list(argv))


def test_session_through_a_fake_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TYPED))
    assert simulate.run(args(MAIN, "--at", OPEN)) == 0
    assert capsys.readouterr().out == SESSION


def test_session_through_a_pipe() -> None:
    script = (
        "import sys; from flowengine.cli import main; sys.exit(main(sys.argv[1:]))"
        if _cli_builds()
        else "import sys, argparse; from flowengine.commands import simulate as s; "
        "p = argparse.ArgumentParser(); s.configure(p); "
        "sys.exit(s.run(p.parse_args(sys.argv[2:])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "simulate", MAIN, "--at", OPEN],
        input=TYPED,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == SESSION


def test_end_of_input_hangs_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n"))
    assert simulate.run(args(MAIN, "--at", OPEN)) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        f"[main:menu] {MENU}\nhangup\n"
        "  (the caller hangs up)\nCall ended: caller-hangup in main:menu\n"
    )


def test_q_quits(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("q\n"))
    assert simulate.run(args(MAIN, "--at", OPEN)) == 0
    assert capsys.readouterr().out.endswith(
        f"[main:welcome] {MENU}q\n"
        "  (the caller hangs up)\nCall ended: caller-hangup in main:welcome\n"
    )


def test_texting_interactively(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("hours\ncall me\n"))
    assert simulate.run(args(str(EXAMPLE_FLOWS / "autoreply.yaml"), "--from", "+15551112222")) == 0
    out = capsys.readouterr().out
    assert out.split("\n", 2)[2] == (
        "[autoreply:menu] text> hours\n"
        "  Reply: We are open Mon-Fri 9:00-17:30 and Sat 10:00-14:00 (New York time).\n"
        "[autoreply:menu_wait] text> call me\n"
        "  Reply: Thanks! Someone will call you back on +15551112222 within one business day.\n"
        "Call ended: completed in autoreply:callback\n"
    )


def _cli_builds() -> bool:
    """The whole CLI needs every command module; others may still be writing theirs."""
    from flowengine import cli

    try:
        cli.build_parser()
    except ImportError:
        return False
    return True


def test_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flowengine import cli

    monkeypatch.setattr(sys, "stdin", io.StringIO(TYPED))
    assert cli.main(["simulate", MAIN, "--at", OPEN]) == 0
    assert capsys.readouterr().out == SESSION
