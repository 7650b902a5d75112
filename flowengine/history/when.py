"""Points in time on the command line: ISO 8601 (`2026-11-23`, `2026-11-23T09:00Z`) or an
age (`90m`, `24h`, `7d`: that long before now)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_when(text: str, now: float) -> float:
    value = text.strip()
    age = AGE.match(value.lower())
    if age:
        return now - float(age.group(1)) * UNITS[age.group(2)]
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(
            f"'{text}' is not a time: give a date (2026-11-23), a date and time "
            "(2026-11-23T09:00Z) or an age (90m, 24h, 7d)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
