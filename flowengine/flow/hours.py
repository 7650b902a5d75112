"""Opening hours: a time zone, a weekly table of time ranges, and closed dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursError(ValueError):
    """An hours table that cannot be understood; the message is for the flow's author."""


@dataclass(frozen=True)
class Hours:
    name: str
    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # per weekday (Monday first): minute ranges
    closed: frozenset[date]

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        if local.date() in self.closed:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.weekly[local.weekday()])


def parse_hours(name: str, spec: dict[str, Any]) -> Hours:
    try:
        zone = ZoneInfo(spec["timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", absurd lengths
        raise HoursError(
            f"'{spec['timezone']}' is not a time zone; use an IANA name such as America/New_York"
        ) from None
    table: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for days, ranges in spec["weekly"].items():
        spans = _ranges(ranges)
        for day in _days(days):
            table[day].extend(spans)
    closed: set[date] = set()
    for text in spec.get("closed", []):
        try:
            closed.add(date.fromisoformat(text))
        except ValueError:
            raise HoursError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None
    return Hours(name, zone, tuple(tuple(sorted(day)) for day in table), frozenset(closed))


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        if end < start:
            raise HoursError(f"'{part}' runs backwards; write the days in week order, e.g. mon-fri")
        days.extend(range(start, end + 1))
    return days


def _ranges(value: str | list[str]) -> list[tuple[int, int]]:
    if value == "closed":
        return []
    spans = []
    for text in [value] if isinstance(value, str) else value:
        start_text, _, end_text = text.partition("-")
        start, end = _minute(start_text), _minute(end_text)
        if end <= start:
            raise HoursError(
                f"'{text}' ends before it starts; a range past midnight must be split "
                "into two days, e.g. fri: 20:00-24:00 and sat: 00:00-02:00"
            )
        spans.append((start, end))
    return spans


def _minute(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60:
        raise HoursError(f"'{text}' is not a time of day")
    return value
