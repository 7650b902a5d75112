"""Opening hours: a time zone, a weekly table of time ranges, closed dates and dated exceptions.

Times and days are read the ways people write them on a shop door: `8:00-18:00`, `8am-6pm`,
`9-5:30pm`, `monday-friday`, `Mon-Fri` with an en dash, several ranges a day
(`09:00-12:00, 13:00-17:00`).
Anything else is refused with a sentence that says what to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    **{day: i for i, day in enumerate(DAYS)},
    **{
        name: i
        for i, names in enumerate(
            (
                ("monday",),
                ("tues", "tuesday"),
                ("wednesday",),
                ("thur", "thurs", "thursday"),
                ("friday",),
                ("saturday",),
                ("sunday",),
            )
        )
        for name in names
    },
}
_DAY_GROUPS = {
    "weekdays": list(range(5)),
    "weekends": [5, 6],
    "weekend": [5, 6],
    "daily": list(range(7)),
    "everyday": list(range(7)),
}
_DASHES = re.compile(r"\s*(?:[-\u2010-\u2015]|\bto\b|\buntil\b)\s*")
_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?h?\s*(?P<half>[ap])?\.?(?:m\.?)?$"
)
_WORDS = {"noon": (12 * 60, None), "midday": (12 * 60, None), "midnight": (0, "a")}
Span = tuple[int, int]
T = TypeVar("T")
RANGE_EXAMPLE = "write it like 09:00-17:30, 9am-5:30pm or closed"
DAY_EXAMPLE = "write days like mon-fri, monday-friday, sat,sun or weekdays"


class HoursError(ValueError):
    """An hours table that cannot be understood; the message is for the flow's author.

    `where` is the key path inside the table (("weekly", "mon-fri")), so the error points
    at the line to change.
    """

    def __init__(self, message: str, where: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.where = where


def _at(where: tuple[str | int, ...], parse: Callable[[Any], T], value: Any) -> T:
    try:
        return parse(value)
    except HoursError as exc:
        if exc.where:
            raise
        raise HoursError(str(exc), where) from None


@dataclass(frozen=True)
class Hours:
    name: str
    zone: ZoneInfo
    weekly: tuple[tuple[Span, ...], ...]  # per weekday (Monday first): minute ranges
    closed: frozenset[date]
    exceptions: tuple[tuple[date, tuple[Span, ...]], ...] = ()  # dates with their own hours

    def spans_on(self, day: date) -> tuple[Span, ...]:
        if day in self.closed:
            return ()
        for special, spans in self.exceptions:
            if special == day:
                return spans
        return self.weekly[day.weekday()]

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans_on(local.date()))


def parse_hours(name: str, spec: dict[str, Any]) -> Hours:
    try:
        zone = ZoneInfo(spec["timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", absurd lengths
        raise HoursError(
            f"'{spec['timezone']}' is not a time zone; use an IANA name such as America/New_York"
        ) from None
    table: list[list[Span]] = [[] for _ in DAYS]
    for days, ranges in spec["weekly"].items():
        spans = _at(("weekly", days), parse_ranges, ranges)
        for day in _at(("weekly", days), parse_days, str(days)):
            table[day].extend(spans)
    closed = {
        _at(("closed", index), _date, text) for index, text in enumerate(spec.get("closed", []))
    }
    exceptions = tuple(
        sorted(
            (
                _at(("exceptions", str(text)), _date, text),
                tuple(_at(("exceptions", str(text)), parse_ranges, ranges)),
            )
            for text, ranges in (spec.get("exceptions") or {}).items()
        )
    )
    weekly = tuple(tuple(sorted(day)) for day in table)
    return Hours(name, zone, weekly, frozenset(closed), exceptions)


def _date(text: Any) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise HoursError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-24"
        ) from None


def parse_days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        text = part.strip().lower()
        if text in _DAY_GROUPS:
            days.extend(_DAY_GROUPS[text])
            continue
        first, *rest = _DASHES.split(text)
        if len(rest) > 1:
            raise HoursError(f"'{part.strip()}' is not a day or a range of days; {DAY_EXAMPLE}")
        start = _day(first, part)
        end = _day(rest[0], part) if rest else start
        if end < start:
            raise HoursError(
                f"'{part.strip()}' runs backwards; write the days in week order, e.g. mon-fri"
            )
        days.extend(range(start, end + 1))
    return days


def _day(text: str, part: str) -> int:
    day = _DAY_NAMES.get(text.strip().rstrip("."))
    if day is None:
        raise HoursError(f"'{part.strip()}' is not a day or a range of days; {DAY_EXAMPLE}")
    return day


def parse_ranges(value: Any) -> list[Span]:
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if texts is None:
        raise HoursError(f"'{value}' is not an opening time range; {RANGE_EXAMPLE}")
    spans: list[Span] = []
    for text in texts:
        if not isinstance(text, str):
            raise HoursError(f"'{text}' is not an opening time range; {RANGE_EXAMPLE}")
        for piece in re.split(r",|\band\b|;", text):
            if piece.strip().lower() == "closed" and len(texts) == 1:
                continue
            spans.append(_range(piece.strip()))
    return sorted(spans)


def _range(text: str) -> Span:
    parts = _DASHES.split(text.lower())
    if len(parts) != 2 or not all(parts):
        raise HoursError(f"'{text}' is not an opening time range; {RANGE_EXAMPLE}")
    (start, start_half), (end, end_half) = _time(parts[0], text), _time(parts[1], text)
    if start_half is None and end_half is not None:
        # `9-5:30pm`, `1-5pm`: a bare start takes the end's half of the day when that fits.
        start = _half(start, end_half) if _half(start, end_half) < _half(end, end_half) else start
    end = _half(end, end_half)
    start = _half(start, start_half)
    if end_half is None and start_half is None and end <= start and end <= 12 * 60:
        end += 12 * 60  # `9-5`: nobody opens at nine to close at five in the morning
    if end == 0 and start > 0:
        end = 24 * 60  # `6pm-midnight`, `18:00-0:00`
    if end <= start:
        raise HoursError(
            f"'{text}' ends before it starts; a range past midnight must be split "
            "into two days, e.g. fri: 20:00-24:00 and sat: 00:00-02:00"
        )
    return start, end


def _half(minute: int, half: str | None) -> int:
    if half is None:
        return minute
    hour = (minute // 60) % 12 + (12 if half == "p" else 0)
    return hour * 60 + minute % 60


def _time(text: str, whole: str) -> tuple[int, str | None]:
    text = text.strip()
    if text in _WORDS:
        return _WORDS[text]
    match = _TIME.match(text)
    if match:
        hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
        in_day = hour * 60 + minute <= 24 * 60
        if minute < 60 and in_day and (half is None or 1 <= hour <= 12):
            return hour * 60 + minute, half
    raise HoursError(
        f"'{text}' in '{whole}' is not a time of day; write times like 9:00, 17:30, 9am or 5:30pm"
    )
