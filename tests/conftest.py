"""Shared fixtures: the example flows, a fixed clock, Twilio-signed requests, real servers."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from flowengine.history.record import CallRecord
from flowengine.history.stores import open_history
from flowengine.runtime.session import CallSession
from flowengine.server import ServerConfig, create_app
from flowengine.server.stores.sqlite import SqliteSessionStore
from tests.backend import backend  # noqa: F401  (shared fixture)
from tests.twilio_fake import AUTH_TOKEN, twilio_api  # noqa: F401  (shared fixture)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FLOWS = ROOT / "tests" / "fixtures" / "examples" / "menus"
EXAMPLE_SCENARIOS = ROOT / "tests" / "fixtures" / "examples" / "scenarios"
REDIS_URL = os.environ.get("FLOWENGINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# A Monday, 10:00 in New York: main.yaml's office is open.
OPEN_HOURS = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# The same Monday, 22:00 in New York: closed.
AFTER_HOURS = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
# The twilio_api fixture sets this token too, so servers can both check and send.
TOKEN = AUTH_TOKEN
TESTSERVER = "http://testserver"
CALLER, ACME = "+15551234567", "+15550001111"


def sign(url: str, params: Mapping[str, str], token: str = TOKEN) -> str:
    """X-Twilio-Signature exactly as Twilio computes it."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))


def parse_twiml(response: httpx.Response) -> ET.Element:
    """Assert a webhook answer is well-formed TwiML served as XML, and parse it."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def said(root: ET.Element) -> str:
    return " ".join((e.text or "") for e in root.iter("Say"))


class Twilio:
    """Posts webhooks to a server the way Twilio does: form-encoded and signed."""

    def __init__(self, http: httpx.Client, base: str, token: str = TOKEN) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.token = token

    def post(
        self, path: str, params: Mapping[str, str], idempotency_token: str | None = None
    ) -> httpx.Response:
        """Twilio sends every webhook with an idempotency token of its own, kept on retries."""
        signature = sign(self.base + path, params, self.token)
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": idempotency_token or uuid.uuid4().hex,
        }
        return self.http.post(self.base + path, data=dict(params), headers=headers)


class Caller:
    """One phone call: the entry webhook, then whatever the TwiML asks Twilio to post next."""

    def __init__(self, twilio: Twilio, sid: str | None = None, caller: str = CALLER) -> None:
        self.twilio = twilio
        self.sid = sid or "CA" + uuid.uuid4().hex
        self.params = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": caller,
            "To": ACME,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    def post(self, path: str, **fields: str) -> ET.Element:
        return parse_twiml(self.twilio.post(path, {**self.params, **fields}))

    def dial(self, flow: str, state: str | None = None) -> ET.Element:
        return self.post(f"/voice/{flow}" + (f"?state={state}" if state else ""))

    def reply(self, doc: ET.Element, **fields: str) -> ET.Element:
        """Answer the document's waiting verb (Gather, Dial, Record, Enqueue)."""
        waiting = [e for e in doc if e.tag in ("Gather", "Dial", "Record", "Enqueue")]
        assert waiting, ET.tostring(doc)
        return self.post(waiting[-1].attrib["action"], **fields)

    def follow(self, doc: ET.Element) -> ET.Element:
        redirect = doc.find("Redirect")
        assert redirect is not None and redirect.text, ET.tostring(doc)
        return self.post(redirect.text)


# The one switch that rewrites golden files (TwiML paths, diagrams) from the current
# output after an intended change: FLOWENGINE_UPDATE_GOLDEN=1 pytest; review the diff.
UPDATE_GOLDEN = os.environ.get("FLOWENGINE_UPDATE_GOLDEN", "") not in ("", "0")


def need_tool(name: str) -> str:
    """The path of an outside program a test needs. Missing, the test skips with one clear
    reason, except in CI (CI=true), where it fails: CI must install what the tests use."""
    path = shutil.which(name)
    if path is None:
        reason = f"'{name}' is not installed (on PATH)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must install it (see .ci/run)")
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LAUNCH = (
    "import os, resource, sys, datetime\n"
    # A disk that fills up: no file of the server's may grow past this many bytes.
    "limit = int(os.environ.pop('FLOWENGINE_TEST_MAX_FILE_BYTES', '0'))\n"
    "if limit: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "from flowengine.commands import serve\n"
    "now = datetime.datetime.fromisoformat(sys.argv[1])\n"
    "sys.exit(serve.main(sys.argv[2:], clock=lambda: now))\n"
)


class ServerProcess:
    """`flowengine serve` in a subprocess on a free port, with the clock fixed."""

    def __init__(
        self,
        flows: Path,
        store: str,
        log: Path,
        now: datetime = OPEN_HOURS,
        extra: tuple[str, ...] = (),
        cwd: Path = ROOT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        argv = [str(flows), "--port", str(self.port), "--store", store, "--log-level", "info"]
        argv += extra
        environ = {**os.environ, "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", TOKEN)}
        environ.update(env or {})
        # The package comes from this checkout whatever the working folder.
        environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), environ.get("PYTHONPATH")])
        )
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, now.isoformat(), *argv],
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited:\n{self.log.read_text()}")
            try:
                # Up as soon as it answers: a degraded server (503) is up too.
                if httpx.get(self.base + "/healthz", timeout=1).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"server did not start:\n{self.log.read_text()}")

    def health(self) -> dict[str, object]:
        body: dict[str, object] = httpx.get(self.base + "/healthz", timeout=5).json()
        return body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Web:
    client: TestClient
    twilio: Twilio
    app: Any

    def session(self, key: str) -> CallSession | None:
        store = self.app.state.store
        result: CallSession | None = self.client.portal.call(store.load, key)  # type: ignore[union-attr]
        return result

    def caller(self, **kwargs: Any) -> Caller:
        return Caller(self.twilio, **kwargs)


@pytest.fixture
def make_web(flows_dir: Path, tmp_path: Path) -> Iterator[Callable[..., Web]]:
    clients: list[TestClient] = []

    def make(**overrides: Any) -> Web:
        settings: dict[str, Any] = {
            "flows_dir": str(flows_dir),
            "store_url": f"sqlite:///{tmp_path}/sessions.db",
            "auth_token": TOKEN,
            "clock": lambda: OPEN_HOURS,
            "reload": False,
        }
        settings.update(overrides)
        app = create_app(ServerConfig(**settings))
        # From the loopback interface, like an operator on the host: /healthz shows details.
        client = TestClient(app, client=("127.0.0.1", 50000))
        client.__enter__()
        clients.append(client)
        return Web(client, Twilio(client, TESTSERVER), app)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def web(make_web: Callable[..., Web]) -> Web:
    return make_web()


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A private copy of the example flows, safe to edit."""
    target = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, target)
    return target


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    servers: list[ServerProcess] = []

    def start(
        flows: Path,
        store: str,
        now: datetime = OPEN_HOURS,
        extra: tuple[str, ...] = (),
        cwd: Path = ROOT,
        env: Mapping[str, str] | None = None,
    ) -> ServerProcess:
        log = tmp_path / f"server{len(servers)}.log"
        server = ServerProcess(flows, store, log, now, extra, cwd, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


_REDIS_UP: list[bool] = []  # asked once per run


def needs_redis() -> None:
    """Skip, with one reason for all, when Redis is not running; in CI (CI=true) fail."""
    if not _REDIS_UP:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        try:
            _REDIS_UP.append(bool(client.ping()))
        except redis.RedisError:
            _REDIS_UP.append(False)
        finally:
            client.close()
    if _REDIS_UP[0]:
        return
    reason = (
        f"Redis is not running at {REDIS_URL}: start it (redis-server --daemonize yes) to "
        "run the Redis store tests"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; in CI it must run (.ci/run starts it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis on 127.0.0.1:6379, under a key prefix of this test's own."""
    needs_redis()
    prefix = f"fe-test-{uuid.uuid4().hex[:12]}:"
    yield f"{REDIS_URL}?prefix={prefix}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except redis.ConnectionError:
        pass  # the test has already failed on the same error
    finally:
        client.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """One HTTP client for a test's requests to the servers it started."""
    with httpx.Client(timeout=30) as client:
        yield client


def stored(db: Path, key: str) -> CallSession | None:
    """A call's session as the SQLite store at `db` holds it now."""

    async def load() -> CallSession | None:
        store = SqliteSessionStore(db)
        try:
            return await store.load(key)
        finally:
            await store.close()

    return asyncio.run(load())


def read_call(url: str, sid: str) -> CallRecord | None:
    """A call as the history at `url` holds it now."""

    async def load() -> CallRecord | None:
        store = open_history(url)
        try:
            return await store.call(sid)
        finally:
            await store.close()

    return asyncio.run(load())
