"""The state of one call (or one text conversation) between two webhooks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# One encoder for all: json.dumps with any option builds a new JSONEncoder on every call.
_encode = json.JSONEncoder(separators=(",", ":")).encode


@dataclass
class CallSession:
    """Everything the runtime needs to carry a call from one webhook to the next.

    `key` is the CallSid for a voice call, and `sms:<flow>:<From>:<To>` for a text
    conversation. `rev` is the store's revision, used for compare-and-set saves so that
    two concurrent webhooks of one call never lose an update.
    """

    key: str
    flow: str
    version: str
    state: str | None = None
    attempts: dict[str, int] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    call: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    ended: bool = False
    outcome: str = ""
    # The answers to the last few webhooks, by request id (the server's replay guard): a
    # webhook Twilio retries gets its first answer again and changes nothing.
    replies: dict[str, list[Any]] = field(default_factory=dict)  # id -> [twiml, unix time]
    # "N:fingerprint" of the last webhook that moved the call: how the server knows a
    # webhook Twilio posted again (its side effects must not run twice).
    hook: str = ""
    rev: int = 0

    def to_json(self) -> str:
        """The session's data; the store keeps `rev` beside it, where compare-and-set reads it."""
        # The fields are JSON values already: no deep copy (asdict) needed to encode them.
        data = {name: value for name, value in self.__dict__.items() if name != "rev"}
        # Not orjson, though ten times faster: it writes infinity and NaN (YAML's .inf and
        # .nan, which a flow's set: may hold) as null, and reads big integers as floats.
        return _encode(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> CallSession:
        data = json.loads(text)
        try:
            return cls(**data)
        except TypeError:
            # A record written by a newer release may carry fields this one does not know.
            return cls(**{k: v for k, v in data.items() if k in _FIELDS})


_FIELDS = frozenset(CallSession.__dataclass_fields__)
