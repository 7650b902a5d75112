"""`flowengine studio` in a subprocess on a free port, and Chromium to drive it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLE_FLOWS, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No network beyond loopback in tests: a flow's `play` URL must not be looked up.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class StudioProcess:
    def __init__(self, flows: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.flows = flows
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        # Run beside the folder and name it as a user would: pages show flows/main.yaml.
        command = [sys.executable, "-m", "flowengine.cli", "studio", flows.name]
        command += ["--port", str(self.port)]
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=flows.parent,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"studio exited:\n{log.read_text()}")
            try:
                if httpx.get(self.base + "/flows.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"studio did not start:\n{log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def studio_flows(tmp_path: Path) -> Path:
    """A private copy of the example flows (and a scenarios folder beside it)."""
    target = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, target)
    return target


@pytest.fixture
def studio(studio_flows: Path, tmp_path: Path) -> Iterator[StudioProcess]:
    server = StudioProcess(studio_flows, tmp_path / "studio.log")
    yield server
    server.stop()
