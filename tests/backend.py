"""A business backend on 127.0.0.1 for fetch tests: answers by the `phone` query parameter.

Each behaviour is a real HTTP answer (or a real delay): fast JSON, an error status, a web
page instead of JSON, an oversized body, a slow answer, no answer at all. Every request
is recorded (path with its raw query, headers, body) so tests assert what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # with the query string exactly as sent
    headers: dict[str, str]
    body: bytes


@dataclass
class Backend:
    base: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)  # by phone (or path)
    default: Answer = field(default_factory=Answer)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for(self, path: str) -> Answer:
        query = parse_qs(urlsplit(path).query)
        phone = query.get("phone", [""])[0]
        return self.answers.get(phone) or self.answers.get(urlsplit(path).path) or self.default


def json_answer(data: object, **kwargs: float | int) -> Answer:
    return Answer(body=json.dumps(data).encode(), **kwargs)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        backend = self.server.backend
        with backend.lock:
            backend.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        answer = backend.answer_for(self.path)
        if answer.delay:
            time.sleep(answer.delay)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: that is what a timeout test wants

    do_GET = do_POST = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, backend: Backend) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.backend = backend


@pytest.fixture
def backend() -> Iterator[Backend]:
    fake = Backend()
    server = _Server(fake)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
