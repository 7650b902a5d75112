"""Pools of signed Twilio webhooks, written as a data file for bench/webhook.lua.

Twilio signs the full URL plus the sorted form parameters, so every request a target
sees must be signed for that target's URL: the pool is computed per target port with
twilio-python's own RequestValidator.compute_signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class SignedRequest:
    path: str
    body: str
    signature: str

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.signature,
        }


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def form_body(params: dict[str, str]) -> str:
    """urlencode(params), several times faster on the mostly plain values Twilio posts."""
    return "&".join(f"{_escape(name)}={_escape(value)}" for name, value in params.items())


def _escape(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)


def _sid(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(128):032x}"


def call_params(rng: random.Random, account_sid: str) -> dict[str, str]:
    """The form Twilio posts when a call comes in (the fields a menu can use)."""
    return {
        "CallSid": _sid(rng, "CA"),
        "AccountSid": account_sid,
        "From": f"+1555{rng.randrange(10**7):07d}",
        "To": "+15551230000",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "Caller": "",
        "Called": "+15551230000",
    }


def signed_pool(
    base_url: str,
    path: str,
    auth_token: str,
    count: int = 1000,
    extra: dict[str, str] | None = None,
    seed: int = 7,
) -> list[SignedRequest]:
    """`count` webhooks to base_url+path, each with its own CallSid, each validly signed.

    The same seed gives the same CallSids, so an entry pool and a gather pool built with
    the same seed describe the same calls.
    """
    url = base_url.rstrip("/") + path
    key = auth_token.encode()
    rng = random.Random(seed)
    account_sid = _sid(rng, "AC")
    pool = []
    for _ in range(count):
        params = call_params(rng, account_sid)
        params["Caller"] = params["From"]
        if extra:
            params.update(extra)
        pool.append(SignedRequest(path, form_body(params), _signature(key, url, params)))
    # Signed by Twilio's rules written out (pools of 100,000 calls take seconds, not a
    # minute); the last one is checked against twilio-python's own signer.
    if pool and pool[-1].signature != RequestValidator(auth_token).compute_signature(url, params):
        raise AssertionError("bench signatures disagree with twilio's RequestValidator")
    return pool


def _signature(key: bytes, url: str, params: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted name+value pairs."""
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(key, data.encode(), hashlib.sha1).digest()).decode()


def write_pool(pool: list[SignedRequest], target: Path) -> Path:
    """One request per line, `path TAB signature TAB body`, for bench/webhook.lua.

    A data file, not a Lua table: LuaJIT refuses a chunk of more than 65,536 constants,
    and a round's pool holds 100,000 calls. Form bodies and signatures hold no tabs.
    """
    lines = [f"{r.path}\t{r.signature}\t{r.body}" for r in pool]
    target.write_text("\n".join(lines) + "\n")
    return target
