"""A queue's wait flow runs in the simulator and in scenarios as the server runs it:
again each time it ends, afresh each round, and its gathers answered by that flow."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from flowengine.commands import scenarios as test_command
from flowengine.commands import simulate as simulate_command
from tests.conftest import EXAMPLE_FLOWS

MAIN = """\
start: queue
states:
  queue:
    enqueue: {queue: support, wait: hold}
    on:
      bridged: done
      leave: voicemail
      hangup, queue-full, error, system-error: done
  voicemail:
    say: Please leave a message.
    hangup: true
  done:
    hangup: true
"""
HOLD = """\
start: offer
states:
  offer:
    gather:
      digits: 1
      timeout: 5
      say: "Press 1 to leave a message instead of waiting."
    on:
      "1": out
      no-input, no-match: music
  music:
    play: https://assets.example.com/hold-music.mp3
  out:
    say: "Taking you out of the queue."
    leave: true
"""
SCENARIOS = """\
flow: main.yaml
scenarios:
  - name: presses 1 in the hold music to leave the queue
    steps:
      - hear: Press 1 to leave a message
      - press: 1
        hear: [Taking you out of the queue., Please leave a message.]
        ended: hangup
        state: voicemail
  - name: keeps waiting, hears the wait flow again, then an agent answers
    steps:
      - silence: true
        hear: hold-music.mp3
      - wait: 30
        hear: Press 1 to leave a message
      - queue: bridged
        state: done
  - name: hangs up in the queue
    steps:
      - queue: hangup
        state: done
"""


def command(module: object, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    module.configure(parser)  # type: ignore[attr-defined]
    return int(module.run(parser.parse_args(list(argv))))  # type: ignore[attr-defined]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "main.yaml").write_text(MAIN)
    (tmp_path / "hold.yaml").write_text(HOLD)
    (tmp_path / "cases.yaml").write_text(SCENARIOS)
    return tmp_path


def test_a_gather_in_the_wait_flow_is_answered_by_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command(simulate_command, str(folder / "main.yaml"), "--inputs", "1") == 0
    out = capsys.readouterr().out
    assert out.split("\n", 2)[2] == (
        "  Enqueue: waiting in queue support\n"
        "    (while waiting) Say: Press 1 to leave a message instead of waiting.\n"
        "    (while waiting) Gather: waiting for keys (1 key)\n"
        "[hold:offer] keys, say <words>, Enter for silence, queue:<outcome>, wait[:seconds], "
        "hangup> 1\n"
        "    (while waiting) Say: Taking you out of the queue.\n"
        "    (while waiting) Leave\n"
        "  Say: Please leave a message.\n"
        "  Hangup\n"
        "Call ended: hangup in main:voicemail\n"
    )


def test_the_wait_flow_is_played_again_while_the_caller_waits(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = "silence,wait:30,queue:bridged"
    assert command(simulate_command, str(folder / "main.yaml"), "--inputs", inputs) == 0
    out = capsys.readouterr().out
    assert out.count("(while waiting) Say: Press 1 to leave a message") == 2
    assert "    (the wait flow ends: Twilio plays it again while the caller waits)\n" in out
    assert out.endswith("Call ended: hangup in main:done\n")


def test_queue_time_grows_with_each_round(capsys: pytest.CaptureFixture[str]) -> None:
    # The example hold flow sends callers who waited over 600 s to voicemail.
    support = str(EXAMPLE_FLOWS / "support.yaml")
    assert command(simulate_command, support, "--inputs", "1,wait:300,wait:400,hangup") == 0
    out = capsys.readouterr().out
    assert out.count("You are number 1 in line.") == 2
    assert "(while waiting) Say [Polly.Joanna, en-US]: Sorry for the long wait." in out
    assert "(hand-over to flow 'main', state 'voicemail')" in out


def test_scenarios_cover_the_wait_flow_and_its_gathers(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = command(test_command, str(folder / "cases.yaml"), "--min-coverage", "100")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "  hold (" in out and "3 passed, 0 failed" in out
