"""A local server that answers like the Twilio REST API (Calls and Messages), for the real Client.

Use the `twilio_api` fixture: it starts the server on 127.0.0.1, points TWILIO_API_BASE at it
and sets working credentials, so `flowengine.twilio.rest.client_from_env()` talks to it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
API_KEY = "SK" + "fedcba9876543210" * 2
API_SECRET = "fake-api-secret-fedcba9876543210"

_ROUTE = re.compile(
    r"(?P<prefix>.*)/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<resource>Calls|Messages)\.json"
)
_DOCS = "https://www.twilio.com/docs/errors/{}"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    username: str | None
    password: str | None
    form: dict[str, list[str]]
    headers: dict[str, str]

    def field(self, name: str) -> str:
        (value,) = self.form[name]
        return value


@dataclass(frozen=True)
class Failure:
    status: int
    code: int
    message: str


@dataclass
class TwilioFake:
    # username -> (password, account SID the credential may act for)
    credentials: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {
            ACCOUNT_SID: (AUTH_TOKEN, ACCOUNT_SID),
            API_KEY: (API_SECRET, ACCOUNT_SID),
        }
    )
    # Where the API lives below the host, like SignalWire's "/api/laml".
    path_prefix: str = ""
    requests: list[Recorded] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    base_url: str = ""

    def fail_next(self, status: int, code: int, message: str) -> None:
        """Answer the next request with a Twilio error body instead of creating anything."""
        self.failures.append(Failure(status, code, message))

    def answer(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        self.requests.append(recorded)
        status, body = self._answer(recorded)
        self.responses.append(body)
        return status, body

    def _answer(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        route = _ROUTE.fullmatch(recorded.path)
        if recorded.method != "POST" or route is None or route["prefix"] != self.path_prefix:
            return _error(404, 20404, f"The requested resource {recorded.path} was not found")
        known = self.credentials.get(recorded.username or "")
        if known is None or known != (recorded.password, route["account"]):
            return _error(401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect.")
        if self.failures:
            failure = self.failures.pop(0)
            return _error(failure.status, failure.code, failure.message)
        form = {k: v[-1] for k, v in recorded.form.items()}
        if route["resource"] == "Calls":
            return _create_call(route["account"], form)
        return _create_message(route["account"], form, recorded.form.get("MediaUrl", []))


def _error(
    status: int, code: int, message: str, detail: str | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"code": code, "message": message, "more_info": _DOCS.format(code)}
    body["status"] = status
    if detail:
        body["detail"] = detail
    return status, body


def _common(account: str, prefix: str, resource: str, form: dict[str, str]) -> dict[str, Any]:
    sid = prefix + secrets.token_hex(16)
    now = format_datetime(datetime.now(UTC), usegmt=True)
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "from": form.get("From"),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "to": form.get("To"),
        "uri": f"/2010-04-01/Accounts/{account}/{resource}/{sid}.json",
    }


def _create_call(account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if not form.get("To"):
        return _error(400, 21201, "No 'To' number is specified")
    if not form.get("From"):
        return _error(400, 21213, "No 'From' number is specified")
    if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
        return _error(400, 21205, "Url parameter is required.")
    body = _common(account, "CA", "Calls", form)
    sid = body["sid"]
    body.update(
        annotation=None,
        answered_by=None,
        caller_name=None,
        duration=None,
        end_time=None,
        forwarded_from=None,
        from_formatted=form["From"],
        group_sid=None,
        parent_call_sid=None,
        phone_number_sid=None,
        queue_time="0",
        start_time=None,
        to_formatted=form["To"],
        trunk_sid=None,
        subresource_uris={
            name: f"/2010-04-01/Accounts/{account}/Calls/{sid}/{name.title()}.json"
            for name in ("notifications", "recordings", "payments", "events")
        },
    )
    return 201, body


def _create_message(
    account: str, form: dict[str, str], media: list[str]
) -> tuple[int, dict[str, Any]]:
    if not form.get("To"):
        return _error(400, 21604, "A 'To' phone number is required.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return _error(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not media:
        return _error(400, 21602, "Message body is required.")
    body = _common(account, "SM", "Messages", form)
    body.update(
        body=form.get("Body", ""),
        date_sent=None,
        error_code=None,
        error_message=None,
        messaging_service_sid=form.get("MessagingServiceSid"),
        num_media=str(len(media)),
        num_segments="1",
        subresource_uris={
            "media": f"/2010-04-01/Accounts/{account}/Messages/{body['sid']}/Media.json"
        },
    )
    return 201, body


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        username, password = _basic_auth(self.headers.get("Authorization", ""))
        recorded = Recorded(
            method=self.command,
            path=self.path,
            username=username,
            password=password,
            form=parse_qs(raw, keep_blank_values=True),
            headers=dict(self.headers.items()),
        )
        status, body = self.server.fake.answer(recorded)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: TwilioFake) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    username, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    return username, password


@pytest.fixture
def twilio_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[TwilioFake]:
    fake = TwilioFake()
    server = _Server(fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll keeps shutdown() (and so each test's teardown) fast.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # requests would route loopback through it
    monkeypatch.setenv("TWILIO_API_BASE", fake.base_url)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
