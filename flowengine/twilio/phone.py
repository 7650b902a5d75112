"""Phone numbers in the E.164 form Twilio sends and expects: + country code and number."""

from __future__ import annotations

import re

# Checked with fullmatch: a pattern ending in `$` would also accept a trailing newline.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def is_e164(text: str) -> bool:
    return E164.fullmatch(text) is not None
