"""The hand-written Starlette peer: Starlette + twilio-python's VoiceResponse, stateless.

The same answers as the Flask tutorial peer (bench/peer_twiml.py), written for Starlette:
RequestValidator on the parsed form, VoiceResponse for the TwiML, no session. Served by
uvicorn on the stack `flowengine serve` uses (bench/servers.py passes --loop/--http).

Run: uvicorn --app-dir bench starlette_app:app --no-access-log
Environment: TWILIO_AUTH_TOKEN; PUBLIC_URL (the base URL Twilio signed, if not the request's)
"""

from __future__ import annotations

import os

from peer_twiml import language_choice, welcome
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")


async def signed_form(request: Request) -> FormData | None:
    form = await request.form()
    url = PUBLIC_URL + request.url.path if PUBLIC_URL else str(request.url)
    signature = request.headers.get("X-Twilio-Signature", "")
    return form if validator.validate(url, dict(form), signature) else None


async def incoming_call(request: Request) -> Response:
    form = await signed_form(request)
    if form is None:
        return Response(status_code=403)
    return Response(welcome(str(form.get("From", ""))), media_type="application/xml")


async def language(request: Request) -> Response:
    form = await signed_form(request)
    if form is None:
        return Response(status_code=403)
    twiml = language_choice(str(form.get("Digits", "")), str(form.get("SpeechResult", "")))
    return Response(twiml, media_type="application/xml")


app = Starlette(
    routes=[
        Route("/voice/main", incoming_call, methods=["POST"]),
        Route("/voice/main/welcome/gather", language, methods=["POST"]),
    ]
)
