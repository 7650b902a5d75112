"""A real call from the browser: Twilio Voice access tokens for the Voice JavaScript SDK.

Configured from the environment (see docs/studio.md); without all four values the page
offers no real call. Tokens are short-lived and name the identity a `dial: client:` reaches.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

TTL_S = 600  # ten minutes: enough to place a call; a page asks again for the next one
ENV = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "api_key": "TWILIO_API_KEY",
    "api_secret": "TWILIO_API_SECRET",
    "twiml_app_sid": "TWILIO_TWIML_APP_SID",
    "identity": "FLOWENGINE_STUDIO_IDENTITY",
}


@dataclass(frozen=True)
class VoiceConfig:
    account_sid: str = ""
    api_key: str = ""
    api_secret: str = ""
    twiml_app_sid: str = ""
    identity: str = "studio"

    @classmethod
    def from_env(cls) -> VoiceConfig:
        values = {name: os.environ.get(var, "") for name, var in ENV.items()}
        values["identity"] = values["identity"] or "studio"
        return cls(**values)

    @property
    def enabled(self) -> bool:
        return all((self.account_sid, self.api_key, self.api_secret, self.twiml_app_sid))


def access_token(config: VoiceConfig, identity: str = "") -> dict[str, Any]:
    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import VoiceGrant

    who = identity or config.identity
    token = AccessToken(
        config.account_sid, config.api_key, config.api_secret, identity=who, ttl=TTL_S
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=config.twiml_app_sid, incoming_allow=True))
    jwt = token.to_jwt()
    return {
        "token": jwt if isinstance(jwt, str) else jwt.decode(),
        "identity": who,
        "expires": int(time.time()) + TTL_S,
    }
