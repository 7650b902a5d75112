"""Opening hours said in words, in the call's language, from the same table the switch reads.

A template reads `{{ hours.office.weekly }}` ("Monday to Friday, 9 AM to 5:30 PM"),
`{{ hours.office.next_open }}` ("tomorrow at 9 AM") and `{{ hours.office.open }}`, so that
changing the hours changes what callers hear. English and French are written out; other
languages fall back to English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flowengine.flow.hours import Hours, Span

FIELDS = ("weekly", "next_open", "open")
# How far ahead to look for the next opening: a year covers any holiday closure.
_HORIZON_DAYS = 400


@dataclass(frozen=True)
class _Words:
    days: tuple[str, ...]
    months: tuple[str, ...]
    through: str  # "Monday to Friday"
    between: str  # "9 AM to 5 PM"
    also: str  # joins two ranges of one day
    separator: str  # between groups of days
    closed: str
    today: str
    tomorrow: str
    on_day: str  # "on Monday at 9 AM"
    on_date: str
    time: Callable[[int], str]


def _twelve_hour(minute: int) -> str:
    hour, rest = divmod(minute, 60)
    if hour == 24 and not rest:
        return "midnight"
    shown, half = hour % 12 or 12, "AM" if hour < 12 else "PM"
    return f"{shown}:{rest:02d} {half}" if rest else f"{shown} {half}"


def _twenty_four_hour(minute: int) -> str:
    hour, rest = divmod(minute, 60)
    if hour == 24 and not rest:
        return "minuit"
    return f"{hour} h {rest:02d}" if rest else f"{hour} h"


_EN = _Words(
    days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    through="{0} to {1}", between="{0} to {1}", also=" and ", separator="; ", closed="closed",
    today="today at {0}", tomorrow="tomorrow at {0}", on_day="on {0} at {1}",
    on_date="on {month} {day} at {time}", time=_twelve_hour,
)  # fmt: skip
_FR = _Words(
    days=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    through="du {0} au {1}", between="de {0} à {1}", also=" et ", separator=" ; ", closed="fermé",
    today="aujourd'hui à {0}", tomorrow="demain à {0}", on_day="{0} à {1}",
    on_date="le {day} {month} à {time}", time=_twenty_four_hour,
)  # fmt: skip
_LANGUAGES: dict[str, _Words] = {"en": _EN, "fr": _FR}


def spoken_language(data: Mapping[str, Any], key: str) -> str:
    """The language code a flow speaks for one of its language keys (`fr` -> `fr-FR`)."""
    table = data.get("languages") or {}
    entry = table.get(key) if isinstance(table, Mapping) else None
    code = (entry or {}).get("language") if isinstance(entry, Mapping) else None
    return str(code or data.get("language") or key or "en")


def words_for(language: str) -> _Words:
    return _LANGUAGES.get(language[:2].lower(), _EN)


def weekly(hours: Hours, language: str) -> str:
    """The weekly table in words: consecutive days with the same hours are said together."""
    words = words_for(language)
    groups: list[tuple[int, int, tuple[Span, ...]]] = []
    for day, spans in enumerate(hours.weekly):
        if groups and groups[-1][2] == spans and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, spans)
        else:
            groups.append((day, day, spans))
    said = []
    for first, last, spans in groups:
        if not spans:
            continue
        days = (
            words.days[first]
            if first == last
            else words.through.format(words.days[first], words.days[last])
        )
        times = words.also.join(
            words.between.format(words.time(start), words.time(end)) for start, end in spans
        )
        said.append(f"{days}, {times}")
    return words.separator.join(said) if said else words.closed


def next_open(hours: Hours, now: datetime, language: str) -> str:
    """When it opens next after `now` (after the current opening when it is open now)."""
    words = words_for(language)
    local = now.astimezone(hours.zone)
    minute = local.hour * 60 + local.minute
    for offset, day in enumerate(_days_from(local.date())):
        for start, _end in hours.spans_on(day):
            if offset == 0 and start <= minute:
                continue
            time = words.time(start)
            if offset == 0:
                return words.today.format(time)
            if offset == 1:
                return words.tomorrow.format(time)
            if offset < 7:
                return words.on_day.format(words.days[day.weekday()], time)
            return words.on_date.format(month=words.months[day.month - 1], day=day.day, time=time)
    return ""


def _days_from(first: date) -> Iterator[date]:
    for offset in range(_HORIZON_DAYS):
        yield first + timedelta(days=offset)


class SpokenHours(Mapping[str, Any]):
    """`hours.NAME.FIELD` for templates; each field is worked out only when a template reads it."""

    def __init__(self, table: Mapping[str, Hours], now: datetime, language: Callable[[], str]):
        self._table = table
        self._now = now
        self._language = language

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        hours = self._table[name]
        return _OneTable(hours, self._now, self._language)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class _OneTable(Mapping[str, Any]):
    def __init__(self, hours: Hours, now: datetime, language: Callable[[], str]):
        self._hours, self._now, self._language = hours, now, language

    def __getitem__(self, field: str) -> Any:
        if field == "weekly":
            return weekly(self._hours, self._language())
        if field == "next_open":
            return next_open(self._hours, self._now, self._language())
        if field == "open":
            return self._hours.is_open(self._now)
        raise KeyError(field)

    def __iter__(self) -> Iterator[str]:
        return iter(FIELDS)

    def __len__(self) -> int:
        return len(FIELDS)
