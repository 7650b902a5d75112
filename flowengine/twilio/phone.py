"""Phone numbers in the E.164 form Twilio sends and expects: + country code and number."""

from __future__ import annotations

import re

# Checked with fullmatch: a pattern ending in `$` would also accept a trailing newline.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def is_e164(text: str) -> bool:
    return E164.fullmatch(text) is not None


WHAT_TWILIO_WANTS = "a phone number needs + and the country code, digits only"


def suggestion(text: str) -> str:
    """The E.164 form a number was most likely meant to have, or '' when it cannot be guessed."""
    digits = "".join(c for c in text if c.isdigit())
    if text.strip().startswith("+") and digits:
        candidate = "+" + digits
    elif digits.startswith("00"):
        candidate = "+" + digits[2:]
    elif len(digits) == 11 and digits.startswith("1"):
        candidate = "+" + digits  # North American numbers are written with their 1
    else:
        return ""
    return candidate if is_e164(candidate) else ""


def not_e164(text: str) -> tuple[str, str]:
    """What is wrong with a number written as text, and what to write instead."""
    guess = suggestion(text)
    message = f"'{text}' is not a phone number Twilio accepts: {WHAT_TWILIO_WANTS}"
    hint = f"write it as '{guess}'" if guess else "write + and the country code, e.g. +15551230001"
    return message, hint


def unquoted_message(where: str, number: float) -> tuple[str, str]:
    """A number the YAML read as a numeral where a phone number goes (`dial: 15551230003`)."""
    shown = str(number)
    guess = suggestion("+" + shown) if shown.isdigit() else ""
    example = guess or "+15551230001"
    return (
        f"{where}: {shown} is not a phone number: {WHAT_TWILIO_WANTS}",
        f"write it with the + and the country code, e.g. {example}",
    )
