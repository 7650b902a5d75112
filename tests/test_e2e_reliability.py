"""The defects a hostile afternoon found (issue 12), each on a real uvicorn with signed requests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from flowengine.server.config import DEFAULT_FALLBACK_SAY
from tests.conftest import (
    CALLER,
    EXAMPLE_FLOWS,
    TOKEN,
    Caller,
    ServerProcess,
    Twilio,
    free_port,
    parse_twiml,
    said,
    sign,
)
from tests.twilio_fake import TwilioFake

Start = Callable[..., ServerProcess]

# A gather whose answer decides how many times a loop runs: the caller chooses the bound.
COUNTING = """\
start: ask
states:
  ask:
    gather: {digits: 12, say: "How many beeps?"}
    next: beep
  beep:
    say: "{% for i in (1..call.digits) %}beep-beep {% endfor %}"
    hangup: true
"""

# Each template stays under the output limit; together they are more than Twilio takes.
TOO_LONG = """\
start: ask
states:
  ask:
    gather: {digits: 1, say: "Press a key."}
    next: speak
  speak:
    say: "{% for i in (1..6000) %}0123456789{% endfor %}"
    next: again
  again:
    say: "{% for i in (1..6000) %}0123456789{% endfor %}"
    hangup: true
"""


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def session_row(db: Path, sid: str) -> tuple[int, str] | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT rev, data FROM sessions WHERE key = ?", (sid,)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


# --- 1. a deleted flow leaves, with the default relative folder --------------------------------


def test_a_deleted_flow_stops_taking_calls_when_the_folder_is_relative(
    start_server: Start, tmp_path: Path, http: httpx.Client
) -> None:
    site = tmp_path / "site"
    flows = site / "flows"
    shutil.copytree(EXAMPLE_FLOWS, flows)
    shutil.copy(flows / "hold.yaml", flows / "extra.yaml")
    (flows / "broken.yaml").write_text("start: nowhere\nstates: {}\n")
    server = start_server(Path("flows"), "memory://", cwd=site, extra=("--no-access-log",))
    health = server.health()
    assert "extra" in health["flows"] and "broken" in health["failed"]  # type: ignore[operator]
    twilio = Twilio(http, server.base)
    assert (
        said(parse_twiml(twilio.post("/voice/extra", {"CallSid": "CA1"}))) != DEFAULT_FALLBACK_SAY
    )

    (flows / "extra.yaml").unlink()
    (flows / "broken.yaml").unlink()
    assert wait_for(lambda: "extra" not in server.health()["flows"])  # type: ignore[operator]
    assert wait_for(lambda: "broken" not in server.health()["failed"])  # type: ignore[operator]
    doc = parse_twiml(twilio.post("/voice/extra", {"CallSid": "CA2"}))
    assert said(doc) == DEFAULT_FALLBACK_SAY
    log = server.log.read_text()
    assert "flow extra removed" in log and "cause=unknown-flow" in log


# --- 2. caller input cannot drive an unbounded template ------------------------------------------


def test_a_loop_bound_a_caller_typed_is_cut_short(
    start_server: Start, tmp_path: Path, http: httpx.Client
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "count.yaml").write_text(COUNTING)
    (flows / "long.yaml").write_text(TOO_LONG)
    server = start_server(flows, "memory://")
    twilio = Twilio(http, server.base)

    call = Caller(twilio)
    assert said(call.reply(call.dial("count"), Digits="2")) == "beep-beep beep-beep "
    call = Caller(twilio)
    doc = call.dial("count")
    started = time.monotonic()
    response = twilio.post(
        doc.find("Gather").attrib["action"], {**call.params, "Digits": "10000000"}
    )  # type: ignore[union-attr]
    elapsed = time.monotonic() - started
    assert said(parse_twiml(response)) == DEFAULT_FALLBACK_SAY
    assert len(response.content) < 1000 and elapsed < 5  # was 13 s and 50 MB
    # Within the loop limit, but more output than one template may write.
    call = Caller(twilio)
    doc = call.dial("count")
    response = twilio.post(doc.find("Gather").attrib["action"], {**call.params, "Digits": "9000"})  # type: ignore[union-attr]
    assert said(parse_twiml(response)) == DEFAULT_FALLBACK_SAY
    # Each template within bounds, the document over Twilio's 64 kB.
    call = Caller(twilio)
    response = twilio.post(
        call.dial("long").find("Gather").attrib["action"],  # type: ignore[union-attr]
        {**call.params, "Digits": "1"},
    )
    assert said(parse_twiml(response)) == DEFAULT_FALLBACK_SAY
    log = server.log.read_text()
    assert "loop iteration limit" in log and "over 65536 bytes" in log


# --- 4. progress statuses do not end a call ---------------------------------------------------


def test_progress_status_callbacks_leave_the_call_going(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, server.base))
    doc = call.dial("main")
    for status in ("initiated", "ringing", "answered", "in-progress"):
        done = parse_twiml(call.twilio.post("/status", {**call.params, "CallStatus": status}))
        assert len(done) == 0
    doc = call.reply(doc, Digits="1")
    assert said(doc) != DEFAULT_FALLBACK_SAY and doc.find("Gather") is not None
    call.twilio.post("/status", {**call.params, "CallStatus": "no-answer"})
    row = session_row(db, call.sid)
    assert row is not None and '"ended":true' in row[1] and '"outcome":"no-answer"' in row[1]


# --- 5. a retried webhook is applied once ------------------------------------------------------


def test_a_retried_callback_gets_the_first_answer_and_changes_nothing(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}")
    twilio = Twilio(http, server.base)
    call = Caller(twilio)
    doc = call.dial("main")
    action = doc.find("Gather").attrib["action"]  # type: ignore[union-attr]
    token = uuid.uuid4().hex
    first = twilio.post(action, {**call.params, "Digits": "1"}, idempotency_token=token)
    rev = session_row(db, call.sid)
    again = twilio.post(action, {**call.params, "Digits": "1"}, idempotency_token=token)
    assert first.content == again.content and session_row(db, call.sid) == rev
    assert "replay=yes" in server.log.read_text()


def test_copies_of_a_call_ending_callback_racing_each_other_get_one_answer(
    start_server: Start, flows_dir: Path, tmp_path: Path, twilio_api: TwilioFake
) -> None:
    """Voicemail's recording callback ends the call and sends a text: once, whatever comes twice."""
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}")
    with httpx.Client(timeout=30) as http:
        twilio = Twilio(http, server.base)
        for token in (uuid.uuid4().hex, None):  # Twilio's token, then copies without one
            call = Caller(twilio)
            doc = call.reply(call.reply(call.dial("main"), Digits="1"), Digits="1")
            doc = call.reply(doc, DialCallStatus="busy")
            action = doc.find("Record").attrib["action"]  # type: ignore[union-attr]
            form = {**call.params, "RecordingUrl": "https://api.twilio.com/rec/RE1"}
            form["RecordingDuration"] = "7"
            signature = sign(server.base + action, form)
            headers = {"X-Twilio-Signature": signature}
            if token:
                headers["I-Twilio-Idempotency-Token"] = token
            answers: list[bytes] = []

            def post(
                url: str, form: dict[str, str], headers: dict[str, str], into: list[bytes]
            ) -> None:
                with httpx.Client(timeout=30) as own:
                    into.append(own.post(url, data=form, headers=headers).content)

            copy = (server.base + action, form, headers, answers)
            threads = [threading.Thread(target=post, args=copy) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(set(answers)) == 1, answers
            assert "Thank you. We will call you back soon." in said(ET.fromstring(answers[0]))
    assert wait_for(lambda: len(twilio_api.requests) >= 2, 10)
    time.sleep(0.5)
    assert len(twilio_api.requests) == 2  # one text per call, not one per copy


# --- 7. internal errors keep their traceback --------------------------------------------------


def test_internal_error_lines_carry_the_traceback(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}")
    call = Caller(Twilio(http, server.base))
    doc = call.dial("main")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET data = 'not json' WHERE key = ?", (call.sid,))
    assert said(call.reply(doc, Digits="1")) == DEFAULT_FALLBACK_SAY
    log = server.log.read_text()
    assert "cause=internal-error" in log
    assert "Traceback (most recent call last)" in log and "JSONDecodeError" in log
    assert "NoneType: None" not in log


# --- 8. proxy headers only from configured proxies ---------------------------------------------


def forged(server: ServerProcess, http: httpx.Client) -> httpx.Response:
    """Signed for another host over https, with headers claiming the request came that way."""
    params = {"CallSid": "CAforged", "From": CALLER}
    signature = sign("https://other-host.example/voice/main", params)
    headers = {
        "X-Twilio-Signature": signature,
        "Host": "other-host.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    return http.post(server.base + "/voice/main", data=params, headers=headers)


def test_forwarded_headers_are_not_believed_by_default(
    start_server: Start, flows_dir: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, "memory://")
    assert forged(server, http).status_code == 403
    trusting = start_server(flows_dir, "memory://", extra=("--trusted-proxies", "127.0.0.1"))
    assert forged(trusting, http).status_code == 200


# --- 9 and 6. a wrong public URL, store write failures: said in the log and on /healthz -------


def test_a_wrong_public_url_is_named_in_the_log_and_on_healthz(
    start_server: Start, flows_dir: Path, http: httpx.Client
) -> None:
    server = start_server(
        flows_dir, "memory://", extra=("--public-url", "https://wrong.example.com")
    )
    assert server.health()["status"] == "ok"
    twilio = Twilio(http, server.base)  # signs for the URL it really uses
    for _ in range(12):
        assert twilio.post("/voice/main", {"CallSid": "CAx"}).status_code == 403
    response = http.get(server.base + "/healthz")
    assert response.status_code == 503 and response.json()["status"] == "degraded"
    assert any("public URL" in p for p in response.json()["problems"])
    log = server.log.read_text()
    wrong = f"signed for {server.base}/voice/main but checked against https://wrong.example.com"
    assert log.count(wrong) == 1  # said once, then rate-limited
    assert "checked=https://wrong.example.com/voice/main" in log


def test_healthz_public_answer_is_minimal_and_details_need_the_token(
    start_server: Start, flows_dir: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, "memory://", env={"FLOWENGINE_HEALTH_TOKEN": "s3cret"})
    public = http.get(server.base + "/healthz")
    assert public.status_code == 200 and public.json() == {"status": "ok"}
    wrong = http.get(server.base + "/healthz", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"status": "ok"}
    full = http.get(server.base + "/healthz", headers={"Authorization": "Bearer s3cret"}).json()
    assert "main" in full["flows"] and full["problems"] == []


def test_insecure_mode_is_degraded(start_server: Start, flows_dir: Path) -> None:
    server = start_server(flows_dir, "memory://", extra=("--insecure-dev",))
    response = httpx.get(server.base + "/healthz")
    assert response.status_code == 503
    assert "signature checks are off (--insecure-dev)" in response.json()["problems"]
    assert "SIGNATURE CHECKS ARE OFF" in server.log.read_text()


def test_too_many_fields_is_logged(
    start_server: Start, flows_dir: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, "memory://")
    many = "&".join(f"f{i}=1" for i in range(1500))
    response = http.post(
        server.base + "/voice/main",
        content=many,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "cause=too-many-fields" in server.log.read_text()


def test_store_credentials_never_reach_the_terminal(tmp_path: Path, flows_dir: Path) -> None:
    for url in ("redis://:hunter2@127.0.0.1:1/0?ttl=abc", "postgres://me:hunter2@db/x"):
        done = subprocess.run(
            [sys.executable, "-m", "flowengine", "serve", str(flows_dir), "--store", url],
            capture_output=True,
            text=True,
            env={"TWILIO_AUTH_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"},
            timeout=60,
        )
        assert done.returncode == 1
        assert "hunter2" not in done.stderr + done.stdout and "***@" in done.stderr


def test_a_bad_store_url_ends_serve_with_workers_too(tmp_path: Path, flows_dir: Path) -> None:
    """Each worker opens the store itself: a bad URL must end the command, not have uvicorn
    restart every failing worker forever, printing a traceback each time."""
    argv = [sys.executable, "-m", "flowengine", "serve", str(flows_dir), "--workers", "2"]
    argv += ["--port", str(free_port()), "--store", "redis://:hunter2@127.0.0.1:notaport/0"]
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"TWILIO_AUTH_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"},
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
    assert process.returncode == 1, output[-2000:]
    assert "bad redis URL redis://***@127.0.0.1:notaport/0" in output
    assert "hunter2" not in output and "Traceback" not in output


# --- 3. a hung Redis costs a webhook seconds, not forever --------------------------------------


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own, on a free port: the test may stop it."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (apt-get install redis-server)"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        assert wait_for(lambda: _pings(client), 10), "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        client.close()
        os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def test_a_hung_redis_gives_the_fallback_in_seconds(
    start_server: Start, flows_dir: Path, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = own_redis
    server = start_server(flows_dir, url)
    with httpx.Client(timeout=30) as http:
        call = Caller(Twilio(http, server.base))
        doc = call.dial("main")
        os.kill(process.pid, signal.SIGSTOP)  # accepts connections, never answers
        try:
            started = time.monotonic()
            assert said(call.reply(doc, Digits="1")) == DEFAULT_FALLBACK_SAY
            # The socket timeout (2 s), well inside Twilio's 15 s; redis-py 5 waited forever.
            assert time.monotonic() - started < 4.5
            started = time.monotonic()
            response = http.get(server.base + "/healthz")
            assert time.monotonic() - started < 4.5
            assert response.status_code == 503
            assert "session store unreachable" in response.json()["problems"]
        finally:
            os.kill(process.pid, signal.SIGCONT)
        assert wait_for(lambda: http.get(server.base + "/healthz").json()["store"]["ok"])
    assert "cause=store-error" in server.log.read_text()


# --- 6. a full disk shows on /healthz, and callers get the fallback ---------------------------


def test_a_full_disk_makes_health_degraded_and_callers_hear_the_fallback(
    start_server: Start, flows_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    # No file of the server's may grow past 160 kB: the database fills up after some calls
    # (SQLite gets EFBIG / a short write: SQLITE_FULL, then I/O errors), as on a full disk.
    server = start_server(
        flows_dir,
        f"sqlite:///{db}",
        extra=("--no-access-log",),
        env={"FLOWENGINE_TEST_MAX_FILE_BYTES": str(160 * 1024)},
    )
    with httpx.Client(timeout=30) as http:
        twilio = Twilio(http, server.base)
        fallbacks = 0
        for _ in range(400):
            call = Caller(twilio)
            call.params["Padding"] = "x" * 2000  # kept in the session: it fills up sooner
            doc = call.dial("main")
            if said(doc) == DEFAULT_FALLBACK_SAY:
                fallbacks += 1
                if fallbacks >= 5:
                    break
        assert fallbacks >= 5, "the database never filled up"
        response = http.get(server.base + "/healthz")
        assert response.status_code == 503 and response.json()["status"] == "degraded"
        assert any("session store failures" in p for p in response.json()["problems"])
        assert response.json()["fallbacks_last_minute"]["store-error"] >= 3
    log = server.log.read_text()
    assert "cause=store-error" in log
    assert "full" in log or "disk I/O error" in log


# --- a database locked by another process delays its own webhooks only ------------------------


def test_a_locked_database_does_not_stall_other_requests(
    start_server: Start, flows_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}", extra=("--no-access-log",))
    with httpx.Client(timeout=30) as http:
        twilio = Twilio(http, server.base)
        calls = [Caller(twilio) for _ in range(4)]
        docs = [call.dial("main") for call in calls]
        answers: list[str] = []

        def press(call: Caller, doc: ET.Element) -> None:
            with httpx.Client(timeout=30) as own:
                answers.append(
                    said(Caller(Twilio(own, server.base), call.sid).reply(doc, Digits="1"))
                )

        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            threads = [
                threading.Thread(target=press, args=pair) for pair in zip(calls, docs, strict=True)
            ]
            for thread in threads:
                thread.start()
                time.sleep(0.3)  # one write after another, each waiting for the lock
            # Queue wait music needs no store: it is answered while the writes wait (the
            # busy timeout is 1 s a write; on the event loop, each stalled everything).
            slowest = 0.0
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                started = time.monotonic()
                assert twilio.post("/wait/hold", {"CallSid": "CAw"}).status_code == 200
                slowest = max(slowest, time.monotonic() - started)
            for thread in threads:
                thread.join()
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert slowest < 0.9, slowest  # each stall was the whole busy timeout (1 s)
        assert answers == [DEFAULT_FALLBACK_SAY] * 4


# --- logging leaves the process's logging alone; numbers keep only their last four digits ------


def test_log_setup_keeps_logging_globals_and_other_loggers_callers() -> None:
    import logging

    from flowengine.server import logs

    before = (logging._srcfile, logging.logThreads, logging.logProcesses)  # type: ignore[attr-defined]
    logs.setup("info")
    assert (logging._srcfile, logging.logThreads, logging.logProcesses) == before  # type: ignore[attr-defined]
    record = logging.getLogger("uvicorn.error").makeRecord("u", 20, "f", 1, "m", None, None)
    assert record.thread is not None and record.process is not None
    caller = logging.getLogger("uvicorn.error").findCaller()
    assert caller[0].endswith("test_e2e_reliability.py")


def test_phone_numbers_show_only_their_last_four_digits() -> None:
    from flowengine.server.logs import mask

    assert mask("+15551234567") == "+*******4567"
    assert mask("5551234567") == "******4567"
    assert mask("+4930123") == "+***0123" and mask("123") == "***" and mask("") == ""


def test_forged_requests_in_a_row_warn_but_cannot_fail_the_health_check(
    start_server: Start, flows_dir: Path, http: httpx.Client
) -> None:
    server = start_server(flows_dir, "memory://")
    forger = Twilio(http, server.base, token="not-the-token")
    for _ in range(8):
        assert forger.post("/voice/main", {"CallSid": "CAf"}).status_code == 403
    response = http.get(server.base + "/healthz")
    assert response.status_code == 200 and response.json()["problems"] == []
    (warning,) = response.json()["warnings"]
    assert "the last 8 requests failed the signature check" in warning
    assert server.log.read_text().count("requests all failed the signature check") == 1


def test_status_of_a_call_whose_version_is_gone_is_recorded_the_same_way(
    start_server: Start, flows_dir: Path, tmp_path: Path, http: httpx.Client
) -> None:
    """One code path: the state where the caller hung up and the call's fields are kept."""
    db = tmp_path / "s.db"
    server = start_server(flows_dir, f"sqlite:///{db}")
    twilio = Twilio(http, server.base)
    known, gone = Caller(twilio), Caller(twilio)
    known.dial("main")
    gone.dial("main")
    with sqlite3.connect(db) as conn:  # a version no process has, not even in the store
        conn.execute(
            "UPDATE sessions SET data = json_set(data, '$.version', 'gone') WHERE key = ?",
            (gone.sid,),
        )
    for call in (known, gone):
        twilio.post("/status", {**call.params, "CallStatus": "busy", "CallDuration": "3"})
    ended = []
    for call in (known, gone):
        row = session_row(db, call.sid)
        assert row is not None
        ended.append(json.loads(row[1]))
    for data in ended:
        assert data["ended"] and data["outcome"] == "busy"
        assert data["state"] == "welcome" and data["call"]["duration"] == "3"
