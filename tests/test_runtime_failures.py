"""A flow that fails at run time (here a queue's hold flow dividing by zero) is reported
like any other problem by `simulate` and `test`: no traceback, exit code 3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MAIN = """\
start: queue
states:
  queue:
    enqueue: {queue: support, wait: hold}
    on:
      bridged: done
      hangup: done
      leave: done
      queue-full, error, system-error: done
  done:
    say: Bye
    hangup: true
"""
HOLD = """\
start: music
states:
  music:
    say: "You waited {{ call.queue_time | divided_by: 0 }} seconds."
    leave: true
"""
SCENARIO = (
    "flow: ../flows/main.yaml\nscenarios:\n  - name: waits\n    steps:\n      - queue: bridged\n"
)


def flowengine(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowengine.cli", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def folder(tmp_path: Path) -> Path:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "main.yaml").write_text(MAIN)
    (tmp_path / "flows" / "hold.yaml").write_text(HOLD)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "wait.yaml").write_text(SCENARIO)
    return tmp_path


def test_simulate_reports_a_hold_flow_failing_without_a_traceback(tmp_path: Path) -> None:
    done = flowengine(folder(tmp_path), "simulate", "flows/main.yaml", "--inputs", "queue:bridged")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "error: the flow failed: flows/hold.yaml: template error in flow 'hold': "
        "divided_by: can't divide by 0\n"
    )


def test_scenarios_tell_a_broken_flow_from_a_failed_scenario(tmp_path: Path) -> None:
    done = flowengine(folder(tmp_path), "test")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "the flow failed: flows/hold.yaml: template error in flow 'hold'" in done.stdout
    # A scenario that merely expects something else is a failed scenario: exit 1.
    (tmp_path / "flows" / "hold.yaml").write_text(HOLD.replace("divided_by: 0", "plus: 0"))
    (tmp_path / "scenarios" / "wait.yaml").write_text(SCENARIO + "        hear: Nothing like it\n")
    done = flowengine(tmp_path, "test")
    assert done.returncode == 1, done.stdout + done.stderr
