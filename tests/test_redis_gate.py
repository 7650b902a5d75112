"""Without Redis the Redis tests skip with one reason by hand, and fail in CI (CI=true)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLOSED = "redis://127.0.0.1:1/0"
REASON = (
    f"Redis is not running at {CLOSED}: start it (redis-server --daemonize yes) to run the "
    "Redis store tests"
)


def run_redis_tests(ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOWENGINE_TEST_REDIS_URL": CLOSED, "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "redis",
         "tests/test_stores.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


@pytest.mark.parametrize("ci", ["", "true"])
def test_redis_tests_without_redis(ci: str) -> None:
    done = run_redis_tests(ci)
    if ci:
        assert done.returncode == 1
        assert f"{REASON}; in CI it must run (.ci/run starts it)" in done.stdout
    else:
        assert done.returncode == 0, done.stdout
        assert "SKIPPED" in done.stdout and REASON in done.stdout
    assert "Traceback" not in done.stdout and "ConnectionError" not in done.stdout
