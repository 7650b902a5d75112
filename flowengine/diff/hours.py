"""Opening hours compared by their effect: when, over the coming year, a caller finds the
line open on one side and closed on the other.

Two tables can read differently and mean the same (09:00-17:00 New York and 14:00-22:00
London), or read almost the same and differ for a few weeks a year, when the two time zones
change to summer time on different dates. Comparing the open hours in UTC, day by day,
finds both.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flowengine.diff.changes import Change
from flowengine.flow.hours import DAYS, Hours

WINDOW_DAYS = 366
MAX_LINES = 12
Span = tuple[datetime, datetime]


def compare_hours(
    name: str, old: Hours | None, new: Hours | None, old_spec: Any, new_spec: Any, since: date
) -> Change | None:
    if old_spec == new_spec:
        return None
    if old is None or new is None:
        return Change("hours", name, _spec_text(old_spec), _spec_text(new_spec))
    lines = effect(old, new, since)
    if not lines:
        lines = ("the same hours in effect every day of the coming year",)
    return Change("hours", name, _spec_text(old_spec), _spec_text(new_spec), details=lines)


def effect(old: Hours, new: Hours, since: date) -> tuple[str, ...]:
    """Plain sentences for every difference in the year from `since`."""
    before, after = open_spans(old, since), open_spans(new, since)
    groups: dict[tuple[str, str], list[date]] = defaultdict(list)
    for sign, spans, zone in (
        ("open", _minus(after, before), new),
        ("closed", _minus(before, after), new),
    ):
        for start, end in spans:
            local_start, local_end = start.astimezone(zone.zone), end.astimezone(zone.zone)
            end_text = (
                "24:00"
                if local_end.time() == time(0) and local_end > local_start
                else (f"{local_end:%H:%M}")
            )
            groups[(sign, f"{local_start:%H:%M}-{end_text}")].append(local_start.date())
    lines = []
    first, last = since, since + timedelta(days=WINDOW_DAYS - 1)
    for (sign, span), days in sorted(groups.items(), key=lambda item: (min(item[1]), item[0])):
        was = "was closed" if sign == "open" else "was open"
        for when in _clusters(sorted(set(days)), first, last):
            lines.append(f"now {sign} {span} {new.zone.key} {when} ({was})")
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"and {len(lines) - MAX_LINES} more differences"]
    return tuple(lines)


def open_spans(hours: Hours, since: date) -> list[Span]:
    """The open times from `since` for a year (a day before and after, for time zones)."""
    spans: list[Span] = []
    for offset in range(-1, WINDOW_DAYS + 1):
        day = since + timedelta(days=offset)
        # spans_on: closed dates, dated exceptions with their own hours, else the week.
        for start, end in hours.spans_on(day):
            spans.append((_utc(hours, day, start), _utc(hours, day, end)))
    return _merged(spans)


def _utc(hours: Hours, day: date, minute: int) -> datetime:
    # Wall-clock arithmetic: 09:00 is 09:00 local on a day the clocks change.
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    local = wall.replace(tzinfo=hours.zone)
    return local.astimezone(UTC)


def _merged(spans: list[Span]) -> list[Span]:
    result: list[Span] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        elif start < end:
            result.append((start, end))
    return result


def _minus(spans: list[Span], cut: list[Span]) -> list[Span]:
    """Parts of `spans` not covered by `cut` (both sorted and merged)."""
    result: list[Span] = []
    index = 0
    for start, end in spans:
        while index < len(cut) and cut[index][1] <= start:
            index += 1
        cursor, i = start, index
        while i < len(cut) and cut[i][0] < end:
            if cut[i][0] > cursor:
                result.append((cursor, cut[i][0]))
            cursor = max(cursor, cut[i][1])
            i += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def _clusters(days: list[date], first: date, last: date) -> list[str]:
    """Dates grouped into runs (a gap over a week starts a new one), each in plain words."""
    runs: list[list[date]] = []
    for day in days:
        if day < first or day > last:
            continue
        if runs and (day - runs[-1][-1]).days <= 7:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [_describe(run, first, last) for run in runs]


def _describe(run: list[date], first: date, last: date) -> str:
    weekdays = sorted({day.weekday() for day in run})
    names = _day_names(weekdays)
    if len(run) == 1:
        return f"on {run[0]:%Y-%m-%d} ({DAYS[run[0].weekday()]})"
    if (run[0] - first).days < 7 and (last - run[-1]).days < 7:
        return f"every {names}"
    return f"on {names} from {run[0]:%Y-%m-%d} to {run[-1]:%Y-%m-%d}"


def _day_names(weekdays: list[int]) -> str:
    if weekdays == list(range(weekdays[0], weekdays[-1] + 1)) and len(weekdays) > 2:
        return f"{DAYS[weekdays[0]]}-{DAYS[weekdays[-1]]}"
    return ",".join(DAYS[day] for day in weekdays)


def _spec_text(spec: Any) -> str | None:
    if spec is None:
        return None
    weekly = "; ".join(
        f"{days} {','.join(value) if isinstance(value, list) else value}"
        for days, value in (spec.get("weekly") or {}).items()
    )
    text = f"{spec.get('timezone')}: {weekly}"
    if spec.get("closed"):
        text += f"; closed {', '.join(spec['closed'])}"
    return text
