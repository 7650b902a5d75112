"""The stateless hand-written peers' TwiML: twilio-python's VoiceResponse, state in the URL.

Twilio's own IVR tutorials keep no session: each answer names the next step in its
Gather's action URL (and the caller's language in its query). bench/flask_stateless_app.py
(Flask, gunicorn) and bench/starlette_app.py (Starlette, uvicorn) both answer with these.
The entry webhook is the one measured; it says the same as the engine's for flows/main.yaml.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

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


def welcome(caller: str) -> str:
    """The entry webhook: screen the caller, then the language menu."""
    response = VoiceResponse()
    if caller in BLOCKED:
        response.reject(reason="busy")
        return str(response)
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
    return str(response)


def language_choice(digits: str, speech: str) -> str:
    """The answer to the language menu: the main menu, the language in the next URL."""
    speech = speech.lower()
    language = "fr" if digits == "9" or "french" in speech or "français" in speech else "en"
    voice = VOICES[language]
    response = VoiceResponse()
    gather = Gather(
        action=f"/voice/main/menu/gather?lang={language}",
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
    return str(response)
