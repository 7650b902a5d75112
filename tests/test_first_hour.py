"""The first hour of a new user, exactly as the docs tell it: `flowengine init myivr`, an
edit, `flowengine lint`, `flowengine test`, `flowengine serve`, and a call posted with
`flowengine send` to that real server, signed as Twilio signs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from flowengine.flow.compiler import load_flow
from tests.conftest import free_port

BIN = Path(sys.executable).parent
TOKEN = "first-hour-token"

BILLING_OPTION = """      "2, hours": hours
      "3, billing": billing
"""
BILLING_STATE = """
  billing:
    say: Connecting you to billing.
    dial: "+15551230003"
    on:
      completed: goodbye
      busy, no-answer, failed, canceled: voicemail
"""
BILLING_SCENARIO = """
  - name: A caller asks for billing, who are busy
    steps:
      - press: 3
        hear: Connecting you to billing.
        dialled: +15551230003
      - dial: busy
        hear: Please leave a message

  - name: Billing answers
    steps:
      - press: 3
      - dial: completed
        ended: hangup
"""


def flowengine(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "flowengine"), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flowengine {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "serve.log"


@pytest.fixture
def serve(server_log: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_init_edit_lint_test_serve_send(
    tmp_path: Path, serve: list[subprocess.Popen[bytes]], server_log: Path
) -> None:
    out = flowengine("init", "myivr", cwd=tmp_path)
    project = tmp_path / "myivr"
    assert "created myivr/flows/main.yaml" in out

    # The edit the issue describes: other opening hours, and "press 3 for billing", with a
    # scenario for it.
    flow = project / "flows" / "main.yaml"
    text = flow.read_text(encoding="utf-8")
    text = text.replace("      mon-fri: 9am-5:30pm\n", "      Monday\u2013Friday: 8am-6pm\n")
    text = text.replace('      "2, hours": hours\n', BILLING_OPTION)
    text = text.replace(
        "For our opening hours, press 2.", "For our opening hours, press 2. For billing, press 3."
    )
    flow.write_text(text + BILLING_STATE, encoding="utf-8")
    scenarios = project / "scenarios" / "main.yaml"
    scenario_text = (
        scenarios.read_text(encoding="utf-8")
        .replace(
            "We are open Monday to Friday, 9 AM to 5:30 PM; Saturday, 10 AM to 2 PM.",
            "We are open Monday to Friday, 8 AM to 6 PM; Saturday, 10 AM to 2 PM.",
        )
        .replace("We open again tomorrow at 9 AM.", "We open again tomorrow at 8 AM.")
    )
    scenarios.write_text(scenario_text + BILLING_SCENARIO, encoding="utf-8")

    assert "All 1 file passed" in flowengine("lint", cwd=project)
    report = flowengine("test", "--min-coverage", "100", cwd=project)
    assert "main (flows/main.yaml): states 8/8, edges 13/13, 100.0%" in report

    port = free_port()
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN}
    with open(server_log, "wb") as log:
        serve.append(
            subprocess.Popen(
                [str(BIN / "flowengine"), "serve", "--port", str(port)],
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert serve[0].poll() is None, server_log.read_text()
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, server_log.read_text()
            time.sleep(0.1)

    # The server runs on the real clock: ask the edited flow's own table which way it goes.
    if load_flow(str(flow), environ={}).hours["office"].is_open(datetime.now(UTC)):
        inputs, heard = ["3", "dial:busy"], ["Say: Connecting you to billing.", "+15551230003"]
    else:
        inputs, heard = [], ["Say: We are closed. We open again"]
    signed = {"TWILIO_AUTH_TOKEN": TOKEN}
    played = flowengine(
        "send", "main", *inputs, "record:recorded", "--url", base, cwd=project, env=signed
    )
    for line in [*heard, "Say: Please leave a message after the beep."]:
        assert line in played
    assert played.rstrip().endswith("call ended")
    assert (project / "flowengine.db").exists()  # the default store, which .gitignore names
    # The server checked every signature: an unsigned request is refused.
    assert httpx.post(base + "/voice/main", data={"CallSid": "CA1"}).status_code == 403
