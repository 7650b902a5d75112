"""`flowengine serve` says what it serves in one line, and every bad option is one clear
error and exit 1 before any worker starts, with one worker or many."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flowengine.commands import serve
from flowengine.server import config as cfg
from tests.conftest import TOKEN, free_port

BIN = Path(sys.executable).parent


def run_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "flowengine"), "serve", *args],
        env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_and_the_config_agree_on_levels_and_formats() -> None:
    assert serve.LOG_LEVELS == cfg.LOG_LEVELS and serve.LOG_FORMATS == cfg.LOG_FORMATS


def test_a_busy_port_is_one_line_naming_the_port_and_the_option(flows_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for workers in ("1", "2"):
            done = run_serve(str(flows_dir), "--port", str(port), "--workers", workers)
            assert done.returncode == 1
            assert done.stderr == (
                f"flowengine serve: port {port} on 127.0.0.1 is already in use (another "
                "server?): stop it, or choose another port with --port (make serve PORT=...)\n"
            )


@pytest.mark.parametrize("workers", ["1", "3"])
@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--store", "bogus://x"],
            {},
            "flowengine serve: --store: unsupported session store URL 'bogus://x': expected one "
            "of memory://, sqlite:///relative/path.db or sqlite:////absolute/path.db, "
            "redis://host:port/db (or rediss://)\n",
        ),
        (
            ["--store", "redis://127.0.0.1:1/0"],
            {},
            "flowengine serve: the session store redis://127.0.0.1:1/0 does not answer: is it "
            "running?\n",
        ),
        (
            [],
            {"FLOWENGINE_LOG_LEVEL": "loud"},
            "flowengine serve: the log level 'loud' (--log-level, FLOWENGINE_LOG_LEVEL) must be "
            "one of debug, info, warning, error\n",
        ),
        (
            ["--fallback-dial", "555-1234"],
            {},
            "flowengine serve: the fallback number '555-1234' (--fallback-dial, "
            "FLOWENGINE_FALLBACK_DIAL) is not a phone number Twilio accepts: a phone number "
            "needs + and the country code, digits only, e.g. +15551230001\n",
        ),
    ],
)
def test_a_bad_option_stops_before_any_worker_starts(
    flows_dir: Path,
    tmp_path: Path,
    workers: str,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    started = time.monotonic()
    done = run_serve(
        str(flows_dir), "--port", str(free_port()), "--workers", workers, *args, env=env
    )
    assert (done.returncode, done.stderr) == (1, message)
    assert "Started" not in done.stdout + done.stderr  # uvicorn never ran
    assert time.monotonic() - started < 30


def test_environment_variables_count_when_no_option_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser = argparse.ArgumentParser()
    serve.configure(parser)
    monkeypatch.setenv("FLOWENGINE_LOG_LEVEL", "warning")
    monkeypatch.setenv("FLOWENGINE_LOG_FORMAT", "json")
    monkeypatch.setenv("FLOWENGINE_RELOAD", "0")
    config = serve.build_config(parser.parse_args([]))
    assert (config.log_level, config.log_format, config.reload) == ("warning", "json", False)
    config = serve.build_config(parser.parse_args(["--log-level", "debug", "--log-format", "text"]))
    assert (config.log_level, config.log_format) == ("debug", "text")
    monkeypatch.delenv("FLOWENGINE_RELOAD")
    assert serve.build_config(parser.parse_args([])).reload
    assert not serve.build_config(parser.parse_args(["--no-reload"])).reload


class Running:
    def __init__(self, flows: Path, log: Path, *args: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [str(BIN / "flowengine"), "serve", str(flows), "--port", str(self.port), *args],
                env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 40
        while True:
            assert self.process.poll() is None, log.read_text()
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

    def version(self) -> str:
        return str(httpx.get(self.base + "/healthz", timeout=5).json()["flows"]["main"]["version"])

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=20)
        return self.log.read_text()


def test_workers_get_no_reload_log_level_and_json_lines(flows_dir: Path, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    pinned = Running(
        flows_dir, tmp_path / "pinned.log", "--workers", "2", "--store", store, "--no-reload",
        "--log-format", "json", env={"FLOWENGINE_LOG_LEVEL": "warning"},
    )  # fmt: skip
    watching = Running(flows_dir, tmp_path / "watching.log", "--workers", "2", "--store", store)
    try:
        before = pinned.version()
        assert watching.version() == before
        main = flows_dir / "main.yaml"
        main.write_text(main.read_text().replace("Connecting you to sales.", "Sales, please hold."))
        deadline = time.monotonic() + 30
        while watching.version() == before:
            assert time.monotonic() < deadline, "the reloading server never saw the change"
            time.sleep(0.2)
        time.sleep(1.0)  # well past the 300 ms debounce the pinned workers would have used
        assert all(pinned.version() == before for _ in range(6))  # whichever worker answers
        assert httpx.post(pinned.base + "/voice/main", data={"CallSid": "CA1"}).status_code == 403
    finally:
        pinned_log, watching_log = pinned.stop(), watching.stop()
    lines = [json.loads(line) for line in pinned_log.splitlines() if line.startswith("{")]
    assert lines and all(set(entry) >= {"time", "level", "logger", "message"} for entry in lines)
    assert not [e for e in lines if e["logger"].startswith("flowengine") and e["level"] == "info"]
    assert any("bad-signature" in e["message"] and e["level"] == "warning" for e in lines)
    assert "serving" not in pinned_log  # start-up lines are info, hidden at warning
    summary = next(line for line in watching_log.splitlines() if " serving agent@" in line)
    assert summary.endswith(
        f"from {flows_dir}/ on http://127.0.0.1:{watching.port}; public URL none (signatures "
        f"checked against the request's URL); store {store}; signatures checked; 2 workers; "
        "reload on"
    )
