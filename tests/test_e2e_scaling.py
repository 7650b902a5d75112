"""Two server processes sharing Redis, and reloading flows while requests keep coming."""

from __future__ import annotations

import os
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import redis

from flowengine.server.config import DEFAULT_FALLBACK_SAY
from tests.conftest import REDIS_URL, Caller, ServerProcess, Twilio, said

Start = Callable[..., ServerProcess]
OLD, NEW, NEWER = "Connecting you to sales.", "Sales, right away.", "Sales team, one moment."


def edit(path: Path, old: str, new: str) -> None:
    """Save the way editors do: write a temporary file, then rename it over the flow."""
    text = path.read_text()
    assert old in text
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text.replace(old, new))
    os.replace(temporary, path)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def main_version(server: ServerProcess) -> str:
    flows = server.health()["flows"]
    assert isinstance(flows, dict)
    return str(flows["main"]["version"])


def test_two_processes_share_calls_through_redis(
    start_server: Start, tmp_path: Path, flows_dir: Path, redis_url: str, http: httpx.Client
) -> None:
    other_dir = tmp_path / "other-flows"
    other_dir.mkdir()
    for path in flows_dir.iterdir():
        (other_dir / path.name).write_text(path.read_text())
    edit(other_dir / "main.yaml", OLD, NEW)  # B never loads the version A starts calls on

    a = start_server(flows_dir, redis_url)
    b = start_server(other_dir, redis_url)
    version_a, version_b = main_version(a), main_version(b)
    assert version_a != version_b
    to_a, to_b = Twilio(http, a.base), Twilio(http, b.base)

    call = Caller(to_a)
    doc = call.dial("main")
    call.twilio = to_b
    doc = call.reply(doc, Digits="1")  # B rebuilds A's version from the source in Redis
    assert said(doc).startswith("For sales, press 1")
    flows = b.health()["flows"]
    assert isinstance(flows, dict) and version_a in flows["main"]["versions"]

    edit(flows_dir / "main.yaml", OLD, NEWER)  # A moves on to a newer version mid-call
    wait_for(lambda: main_version(a) not in (version_a,), "A to reload main")
    call.twilio = to_a
    doc = call.reply(doc, Digits="1")
    assert said(doc) == OLD  # the call stays on the version it started with
    call.twilio = to_b
    doc = call.reply(doc, DialCallStatus="no-answer")
    call.twilio = to_a
    doc = call.reply(doc, RecordingUrl="https://api.twilio.com/RE9", RecordingDuration="3")
    assert said(doc).endswith("Goodbye.")

    # New calls start on each process's live version.
    fresh = Caller(to_b)
    doc = fresh.reply(fresh.reply(fresh.dial("main"), Digits="1"), Digits="1")
    assert said(doc) == NEW
    fresh = Caller(to_a)
    doc = fresh.reply(fresh.reply(fresh.dial("main"), Digits="1"), Digits="1")
    assert said(doc) == NEWER

    client = redis.Redis.from_url(REDIS_URL)
    try:
        prefix = redis_url.split("prefix=", 1)[1]
        assert client.exists(f"{prefix}session:{call.sid}")
        assert client.exists(f"{prefix}flow:main:{version_a}")
    finally:
        client.close()


class Load(threading.Thread):
    """New calls and menu choices, back to back, remembering every answer."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.heard: list[str] = []
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            twilio = Twilio(http, self.base)
            while not self.stop.is_set():
                try:
                    call = Caller(twilio)
                    doc = call.reply(call.reply(call.dial("main"), Digits="1"), Digits="1")
                    text = said(doc)
                    if text == DEFAULT_FALLBACK_SAY:
                        self.failures.append("fallback")
                    self.heard.append(text)
                except (AssertionError, httpx.HTTPError, ET.ParseError) as exc:
                    self.failures.append(repr(exc))


def test_reload_under_load_then_a_broken_edit(
    start_server: Start, flows_dir: Path, tmp_path: Path
) -> None:
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/sessions.db")
    before = main_version(server)
    load = Load(server.base)
    load.start()
    try:
        wait_for(lambda: len(load.heard) >= 20, "some calls before the edit")
        edit(flows_dir / "main.yaml", OLD, NEW)
        wait_for(lambda: main_version(server) != before, "the reload")
        seen = len(load.heard)
        wait_for(lambda: len(load.heard) >= seen + 20, "some calls after the edit")
    finally:
        load.stop.set()
        load.join()
    assert load.failures == []
    assert OLD in load.heard and load.heard[-1] == NEW
    assert set(load.heard) == {OLD, NEW}

    reloaded = main_version(server)
    main = flows_dir / "main.yaml"
    main.write_text(main.read_text().replace("next: voicemail", "next: voice_mail"))
    wait_for(lambda: "main" in server.health()["failed"], "the failure on /healthz")  # type: ignore[operator]
    health = server.health()
    assert main_version(server) == reloaded
    failed = health["failed"]
    assert isinstance(failed, dict)
    assert any("FE101" in d and "voice_mail" in d for d in failed["main"]["diagnostics"])
    with httpx.Client(timeout=10) as http:
        call = Caller(Twilio(http, server.base))
        doc = call.reply(call.reply(call.dial("main"), Digits="1"), Digits="1")
    assert said(doc) == NEW
    assert "failed to reload" in server.log.read_text()
