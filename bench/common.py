"""Shared paths, constants and small helpers for the benchmark harness."""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SCHEMA = REPO / "schemas" / "flow.schema.json"
FLOWS = REPO / "flows"

# Every target validates X-Twilio-Signature against this token.
AUTH_TOKEN = "bench0000000000000000000000000000"  # 32 characters, like a real one
HOST = "127.0.0.1"

# The webhooks measured (flows/main.yaml). The engine serves flow NAME at /voice/NAME and
# the answer to a gather in state STATE at /voice/NAME/STATE/gather; the floor and the
# Flask handler answer the same paths.
ENTRY_PATH = "/voice/main"
GATHER_PATH = "/voice/main/welcome/gather"


def tool(name: str) -> str | None:
    """Find an executable next to the running interpreter (the venv) or on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def say(message: str) -> None:
    print(message, flush=True)
