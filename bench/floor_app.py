"""The floor: a bare Starlette endpoint that returns a constant TwiML document.

No form parsing, no signature check, no session: whatever the engine spends above this
is the engine's own cost on the same stack (Starlette under uvicorn, same flags).
Run: uvicorn --app-dir bench floor_app:app --no-access-log
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# The document the engine answers for the entry webhook of flows/main.yaml (a caller not
# on the blocklist): the language menu.
TWIML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response>'
    b"<Play>https://assets.example.com/acme-chime.mp3</Play>"
    b'<Gather action="/voice/main/welcome/gather" actionOnEmptyResult="true" '
    b'hints="english, fran\xc3\xa7ais, french" input="dtmf speech" language="en-US" '
    b'method="POST" numDigits="1" speechTimeout="auto" timeout="4">'
    b'<Say language="en-US" voice="Polly.Joanna">Thank you for calling Acme. For English, '
    b"press 1 or say English. Pour le fran\xc3\xa7ais, appuyez sur 9 ou dites fran\xc3\xa7ais."
    b"</Say></Gather></Response>"
)


async def webhook(request: Request) -> Response:
    return Response(TWIML, media_type="application/xml")


app = Starlette(routes=[Route("/voice/{rest:path}", webhook, methods=["POST"])])
