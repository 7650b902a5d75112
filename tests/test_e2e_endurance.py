"""What found issue 12's defects, kept in the suite: a seeded fuzz of signed and forged
webhooks, a soak with live good and broken edits, and kill -9 under load on SQLite.

Each runs against a real `flowengine serve` and is bounded (cases and seconds)."""

from __future__ import annotations

import random
import shutil
import string
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx

from flowengine.server.config import DEFAULT_FALLBACK_SAY
from tests.conftest import CALLER, EXAMPLE_FLOWS, ServerProcess, Twilio, sign

Start = Callable[..., ServerProcess]

# Path segments as sent on the wire (signatures cover the URL exactly as requested).
STATES = ["welcome", "menu", "sales", "voicemail", "front_desk", "nowhere", "%3Cb%3E", "x%20y"]
EVENTS = ["gather", "dial", "record", "enqueue", "redirect", "hangup"]
STATUSES = ["queued", "ringing", "in-progress", "answered", "completed", "busy", "failed", "x"]
FIELDS = ["Digits", "SpeechResult", "DialCallStatus", "RecordingUrl", "CallStatus", "Body", "Zz"]


def junk(rng: random.Random, most: int = 40) -> str:
    alphabet = string.printable + "éß漢\u202e\ufeff<>&\"'{}%"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, most)))


def fuzz_case(rng: random.Random, sids: list[str]) -> tuple[str, dict[str, str]]:
    sid = rng.choice(sids) if sids and rng.random() < 0.7 else "CA" + uuid.uuid4().hex
    form = {"CallSid": sid, "From": rng.choice([CALLER, "+15550000666", junk(rng, 12)])}
    form["To"] = "+15550001111"
    for _ in range(rng.randint(0, 4)):
        form[rng.choice(FIELDS)] = junk(rng)
    kind = rng.random()
    if kind < 0.25:
        path = f"/voice/{rng.choice(['main', 'support', 'hold', 'nope'])}"
        if rng.random() < 0.2:
            path += f"?state={rng.choice(STATES)}"
    elif kind < 0.6:
        path = f"/voice/{rng.choice(['main', 'support'])}/{rng.choice(STATES)}/{rng.choice(EVENTS)}"
    elif kind < 0.75:
        form["CallStatus"] = rng.choice(STATUSES)
        path = "/status"
    elif kind < 0.9:
        path = f"/sms/{rng.choice(['autoreply', 'main'])}"
        form["Body"] = junk(rng, 80)
    else:
        path = f"/wait/{rng.choice(['hold', 'main'])}"
    return path, form


def test_seeded_fuzz_of_signed_and_forged_webhooks(start_server: Start, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, flows)
    server = start_server(flows, f"sqlite:///{tmp_path}/s.db", extra=("--no-access-log",))
    rng = random.Random(12)
    sids: list[str] = []
    deadline = time.monotonic() + 90  # bounded: 400 cases take a few seconds
    statuses: dict[int, int] = {}
    with httpx.Client(timeout=10) as http:
        twilio = Twilio(http, server.base)
        for case in range(400):
            assert time.monotonic() < deadline, f"fuzzing too slow at case {case}"
            path, form = fuzz_case(rng, sids)
            forged = rng.random() < 0.3
            if not forged:
                response = twilio.post(path, form)
                assert response.status_code == 200, (path, form, response.text)
                assert response.headers["content-type"].startswith("text/xml")
                assert ET.fromstring(response.content).tag == "Response"
                sids.append(form["CallSid"])
            else:
                how = rng.choice(["none", "garbage", "other-url", "other-token", "other-form"])
                headers = {}
                if how == "garbage":
                    alphabet = string.ascii_letters + string.digits + "+/="
                    headers["X-Twilio-Signature"] = "".join(rng.choices(alphabet, k=28))
                elif how == "other-url":
                    headers["X-Twilio-Signature"] = sign("https://evil.example" + path, form)
                elif how == "other-token":
                    headers["X-Twilio-Signature"] = sign(server.base + path, form, "not-the-token")
                elif how == "other-form":
                    signed = sign(server.base + path, {**form, "Digits": "9"})
                    headers["X-Twilio-Signature"] = signed
                response = http.post(server.base + path, data=form, headers=headers)
                assert response.status_code == 403, (how, path, response.text)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        # Forged requests in a row show on /healthz; one good request clears the streak.
        twilio.post("/wait/hold", {"CallSid": "CAend"})
        assert server.health()["status"] == "ok"
    assert statuses[200] > 200 and statuses[403] > 80
    log = server.log.read_text()
    assert "Traceback" not in log and "internal-error" not in log


# --- soak: calls flowing while the flow is edited, well and badly -------------------------------


def walk_a_call(twilio: Twilio, failures: list[str]) -> None:
    """English, sales, the agent answers, goodbye: every answer a real one."""
    sid = "CA" + uuid.uuid4().hex
    form = {"CallSid": sid, "From": CALLER, "To": "+15550001111"}
    steps = [("/voice/main", {}), (None, {"Digits": "1"}), (None, {"Digits": "1"})]
    steps.append((None, {"DialCallStatus": "completed"}))
    doc: ET.Element | None = None
    for path, extra in steps:
        if path is None:
            assert doc is not None
            waiting = [e for e in doc if e.tag in ("Gather", "Dial")]
            if not waiting:
                failures.append(f"{sid}: nothing to answer in {ET.tostring(doc)[:200]!r}")
                return
            path = waiting[-1].attrib["action"]
        response = twilio.post(path, {**form, **extra})
        if response.status_code != 200:
            failures.append(f"{sid}: {path} got {response.status_code}")
            return
        doc = ET.fromstring(response.content)
        text = " ".join(e.text or "" for e in doc.iter("Say"))
        if DEFAULT_FALLBACK_SAY in text:
            failures.append(f"{sid}: {path} fell back")
            return
    assert doc is not None
    if doc.find("Hangup") is None:
        failures.append(f"{sid}: the call did not end with goodbye")


def test_soak_with_live_good_and_broken_edits(start_server: Start, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, flows)
    main = flows / "main.yaml"
    original = main.read_text()
    server = start_server(flows, f"sqlite:///{tmp_path}/s.db", extra=("--no-access-log",))
    failures: list[str] = []
    calls = [0]
    stop = threading.Event()

    def caller() -> None:
        with httpx.Client(timeout=15) as http:
            twilio = Twilio(http, server.base)
            while not stop.is_set():
                walk_a_call(twilio, failures)
                calls[0] += 1

    threads = [threading.Thread(target=caller) for _ in range(3)]
    for thread in threads:
        thread.start()
    versions: set[str] = set()

    def live() -> str:
        return str(server.health()["flows"]["main"]["version"])  # type: ignore[index]

    def settle(check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 20  # a reload takes the debounce and a compile
        while not check():
            assert time.monotonic() < deadline, "the reload never happened"
            time.sleep(0.1)

    try:
        for round_ in range(6):
            before = live()
            good = original.replace('"Goodbye."', f'"Goodbye, round {round_}."')
            main.write_text(good)
            settle(lambda: live() != before and "main" not in server.health()["failed"])  # type: ignore[operator]  # noqa: B023
            versions.add(live())
            time.sleep(0.3)  # calls run on it
            # Broken: a state that does not exist. The last good version must keep serving.
            serving = live()
            main.write_text(good.replace("completed: goodbye", "completed: goodbye_typo", 1))
            settle(lambda: "main" in server.health()["failed"])  # type: ignore[operator]
            assert live() == serving
            time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert calls[0] >= 6 and len(versions) == 6
    log = server.log.read_text()
    assert "Traceback" not in log and log.count("failed to reload") >= 6


# --- kill -9 under load, restart on the same SQLite file ----------------------------------------


def test_kill_9_under_load_loses_no_session(start_server: Start, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, flows)
    store = f"sqlite:///{tmp_path}/s.db"
    current = [start_server(flows, store, extra=("--no-access-log",))]
    failures: list[str] = []
    finished = [0]
    stop = threading.Event()

    def post(path: str, form: dict[str, str], token: str) -> httpx.Response:
        """Like Twilio: the same request, with the same idempotency token, until answered."""
        for _ in range(200):
            server = current[0]
            try:
                with httpx.Client(timeout=5) as http:
                    return Twilio(http, server.base).post(path, form, idempotency_token=token)
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"{path}: no server answered")

    def caller() -> None:
        while not stop.is_set():
            sid = "CA" + uuid.uuid4().hex
            form = {"CallSid": sid, "From": CALLER, "To": "+15550001111"}
            doc = ET.fromstring(post("/voice/main", form, uuid.uuid4().hex).content)
            for extra in ({"Digits": "1"}, {"Digits": "1"}, {"DialCallStatus": "completed"}):
                waiting = [e for e in doc if e.tag in ("Gather", "Dial")]
                if not waiting:
                    failures.append(f"{sid}: nothing to answer")
                    return
                answer = post(waiting[-1].attrib["action"], {**form, **extra}, uuid.uuid4().hex)
                doc = ET.fromstring(answer.content)
                if DEFAULT_FALLBACK_SAY in " ".join(e.text or "" for e in doc.iter("Say")):
                    failures.append(f"{sid}: fell back after {extra}")
                    return
            finished[0] += 1

    threads = [threading.Thread(target=caller) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            time.sleep(1.0)
            victim = current[0]
            victim.process.kill()  # SIGKILL: no shutdown, no last commit
            victim.process.wait()
            current[0] = start_server(flows, store, extra=("--no-access-log",))
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert finished[0] >= 5
