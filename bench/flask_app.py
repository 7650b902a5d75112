"""What people write today: Flask + twilio-python, one sync gunicorn worker.

The menu of flows/main.yaml written by hand the way the Twilio tutorials do it: validate
X-Twilio-Signature with RequestValidator, keep the call's state in SQLite, build TwiML
with VoiceResponse. The entry webhook (screen the caller, then the language menu) is the
one the benchmark measures; the answers to the two menus are there so that the handler is
the real thing, not a stub.

Run: gunicorn --chdir bench -w 1 -k sync flask_app:app
Environment:
  TWILIO_AUTH_TOKEN   the auth token signatures are checked with
  BENCH_FLASK_DB      the SQLite file (default calls.db)
  BENCH_FLASK_SQLITE  per-request (default): sqlite3.connect() in every request, default
                      settings, as most tutorials do; shared: one module-level connection;
                      tuned: shared, plus WAL and synchronous=NORMAL like the engine
  PUBLIC_URL          the base URL Twilio signed, when it differs from the request's
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

app = Flask(__name__)
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
DB_PATH = os.environ.get("BENCH_FLASK_DB", "calls.db")
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

BLOCKED = {"+15550000666", "+15550000667"}
VOICES = {
    "en": {"voice": "Polly.Joanna", "language": "en-US"},
    "fr": {"voice": "Polly.Celine", "language": "fr-FR"},
}
WELCOME = (
    "Thank you for calling Acme. For English, press 1 or say English. "
    "Pour le français, appuyez sur 9 ou dites français."
)
MENU = {
    "en": "For sales, press 1 or say sales. For support, press 2 or say support. "
    "To speak to the front desk, press 0.",
    "fr": "Pour les ventes, appuyez sur 1. Pour le support, appuyez sur 2. "
    "Pour l'accueil, appuyez sur 0.",
}
SAY = {
    "no_input": {"en": "Sorry, I did not hear anything.", "fr": "Désolé, je n'ai rien entendu."},
    "no_match": {"en": "Sorry, that is not an option.", "fr": "Désolé, ce choix n'existe pas."},
    "sales": {"en": "Connecting you to sales.", "fr": "Je vous passe le service des ventes."},
    "support": {"en": "One moment, please.", "fr": "Un instant, s'il vous plaît."},
    "closed": {
        "en": "Our office is closed. We are open Monday to Friday, 9 to 5:30, "
        "and Saturday 10 to 2.",
        "fr": "Nos bureaux sont fermés. Nous sommes ouverts du lundi au vendredi de 9 h à 17 h 30.",
    },
    "voicemail": {
        "en": "Please leave a message after the beep.",
        "fr": "Laissez un message après le bip.",
    },
    "goodbye": {"en": "Goodbye.", "fr": "Au revoir."},
}
SALES_LINES = [
    os.environ.get("SALES_NUMBER", "+15551230001"),
    os.environ.get("SALES_BACKUP_NUMBER", "+15551230002"),
]
OPERATOR = os.environ.get("OPERATOR_CLIENT", "front-desk")
OFFICE_TZ = ZoneInfo("America/New_York")
HOLIDAYS = {"2026-12-25", "2027-01-01"}
MAX_TRIES = 3


SQLITE_MODE = os.environ.get("BENCH_FLASK_SQLITE", "per-request")
SHARED = sqlite3.connect(DB_PATH) if SQLITE_MODE in ("shared", "tuned") else None
if SHARED is not None and SQLITE_MODE == "tuned":
    # What the engine's SQLite store does: WAL, and no fsync on every commit.
    SHARED.execute("PRAGMA journal_mode=WAL")
    SHARED.execute("PRAGMA synchronous=NORMAL")


@contextmanager
def db() -> Iterator[sqlite3.Connection]:
    conn = SHARED or sqlite3.connect(DB_PATH)
    try:
        yield conn
    finally:
        if conn is not SHARED:
            conn.close()


with db() as conn:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS calls ("
        "call_sid TEXT PRIMARY KEY, state TEXT, data TEXT, updated_at REAL)"
    )
    conn.commit()


def validate_twilio_request(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        url = PUBLIC_URL + request.full_path.rstrip("?") if PUBLIC_URL else request.url
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(url, request.form, signature):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def load_call(call_sid: str) -> dict[str, Any]:
    with db() as conn:
        row = conn.execute(
            "SELECT state, data FROM calls WHERE call_sid = ?", (call_sid,)
        ).fetchone()
    if row is None:
        return {"state": "welcome", "language": "en", "tries": 0}
    return {"state": row[0], **json.loads(row[1])}


def save_call(call_sid: str, call: dict[str, Any]) -> None:
    data = {k: v for k, v in call.items() if k != "state"}
    with db() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO calls (call_sid, state, data, updated_at) VALUES (?, ?, ?, ?)",
            (call_sid, call["state"], json.dumps(data), time.time()),
        )
        conn.commit()


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="application/xml")


def office_open() -> bool:
    now = datetime.now(OFFICE_TZ)
    if now.strftime("%Y-%m-%d") in HOLIDAYS:
        return False
    minutes = now.hour * 60 + now.minute
    if now.weekday() < 5:
        return 9 * 60 <= minutes < 17 * 60 + 30
    if now.weekday() == 5:
        return 10 * 60 <= minutes < 14 * 60
    return False


def menu(response: VoiceResponse, language: str) -> VoiceResponse:
    voice = VOICES[language]
    gather = Gather(
        action="/voice/main/menu/gather",
        method="POST",
        action_on_empty_result=True,
        hints="sales, buy, support, help, operator, front desk",
        input="dtmf speech",
        language=voice["language"],
        num_digits=1,
        speech_timeout="auto",
    )
    gather.say(MENU[language], **voice)
    response.append(gather)
    return response


def voicemail(response: VoiceResponse, language: str) -> VoiceResponse:
    response.say(SAY["voicemail"][language], **VOICES[language])
    response.record(
        action="/voice/main/voicemail/record",
        method="POST",
        max_length=120,
        transcribe=True,
        finish_on_key="#",
    )
    return response


def open_check(call_sid: str, call: dict[str, Any]) -> Response:
    response = VoiceResponse()
    language = call["language"]
    if office_open():
        call.update(state="menu", tries=0)
        save_call(call_sid, call)
        return twiml(menu(response, language))
    call.update(state="voicemail")
    save_call(call_sid, call)
    response.say(SAY["closed"][language], **VOICES[language])
    return twiml(voicemail(response, language))


@app.post("/voice/main")
@validate_twilio_request
def incoming_call() -> Response:
    caller = request.form.get("From", "")
    response = VoiceResponse()
    if caller in BLOCKED:
        response.reject(reason="busy")
        return twiml(response)
    call = {
        "state": "welcome",
        "language": "en",
        "tries": 0,
        "from": caller,
        "to": request.form.get("To", ""),
    }
    save_call(request.form["CallSid"], call)
    response.play("https://assets.example.com/acme-chime.mp3")
    gather = Gather(
        action="/voice/main/welcome/gather",
        method="POST",
        action_on_empty_result=True,
        hints="english, français, french",
        input="dtmf speech",
        language="en-US",
        num_digits=1,
        speech_timeout="auto",
        timeout=4,
    )
    gather.say(WELCOME, **VOICES["en"])
    response.append(gather)
    return twiml(response)


@app.post("/voice/main/welcome/gather")
@validate_twilio_request
def language_choice() -> Response:
    call_sid = request.form["CallSid"]
    call = load_call(call_sid)
    digits = request.form.get("Digits", "")
    speech = request.form.get("SpeechResult", "").lower()
    if digits == "9" or "french" in speech or "français" in speech:
        call["language"] = "fr"
    elif digits == "1" or "english" in speech:
        call["language"] = "en"
    return open_check(call_sid, call)


@app.post("/voice/main/menu/gather")
@validate_twilio_request
def menu_answer() -> Response:
    call_sid = request.form["CallSid"]
    call = load_call(call_sid)
    language = call.get("language", "en")
    voice = VOICES[language]
    digits = request.form.get("Digits", "")
    speech = request.form.get("SpeechResult", "").lower()
    response = VoiceResponse()
    if digits == "1" or "sales" in speech or "buy" in speech:
        call.update(state="sales", tries=0)
        save_call(call_sid, call)
        response.say(SAY["sales"][language], **voice)
        dial = Dial(action="/voice/main/sales/dial", method="POST", timeout=20)
        dial.caller_id = call.get("to", "")
        for number in SALES_LINES:
            dial.number(number)
        response.append(dial)
        return twiml(response)
    if digits == "2" or "support" in speech or "help" in speech:
        call.update(state="support")
        save_call(call_sid, call)
        response.say(SAY["support"][language], **voice)
        response.redirect("/voice/support", method="POST")
        return twiml(response)
    if digits == "0" or "operator" in speech or "front desk" in speech:
        call.update(state="front_desk")
        save_call(call_sid, call)
        dial = Dial(action="/voice/main/front_desk/dial", method="POST", timeout=15)
        dial.client(OPERATOR)
        response.append(dial)
        return twiml(response)
    if digits == "*":
        save_call(call_sid, call)
        return twiml(menu(response, language))
    call["tries"] = int(call.get("tries", 0)) + 1
    if call["tries"] >= MAX_TRIES:
        call.update(state="goodbye")
        save_call(call_sid, call)
        response.say(SAY["goodbye"][language], **voice)
        response.hangup()
        return twiml(response)
    save_call(call_sid, call)
    response.say(SAY["no_match" if digits or speech else "no_input"][language], **voice)
    return twiml(menu(response, language))
