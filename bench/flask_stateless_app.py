"""The Twilio tutorial peer: Flask + twilio-python, stateless, one sync gunicorn worker.

As Twilio's own IVR tutorials do it: RequestValidator checks X-Twilio-Signature, TwiML is
built with VoiceResponse, and there is no session: the next step is in the URL. The
strongest hand-written peer (no store at all).

Run: gunicorn --chdir bench -w 1 -k sync flask_stateless_app:app
Environment: TWILIO_AUTH_TOKEN; PUBLIC_URL (the base URL Twilio signed, if not the request's)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, abort, request
from peer_twiml import language_choice, welcome
from twilio.request_validator import RequestValidator

app = Flask(__name__)
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")


def validate_twilio_request(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        url = PUBLIC_URL + request.full_path.rstrip("?") if PUBLIC_URL else request.url
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@app.post("/voice/main")
@validate_twilio_request
def incoming_call() -> Response:
    return Response(welcome(request.form.get("From", "")), mimetype="application/xml")


@app.post("/voice/main/welcome/gather")
@validate_twilio_request
def language() -> Response:
    form = request.form
    twiml = language_choice(form.get("Digits", ""), form.get("SpeechResult", ""))
    return Response(twiml, mimetype="application/xml")
