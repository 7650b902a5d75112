"""Switch conditions, compiled from data into small predicate functions."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from flowengine.flow.hours import Hours

Facts = Mapping[str, Any]
Predicate = Callable[[Facts, datetime], bool]


class ConditionError(ValueError):
    """A condition that refers to something that does not exist; the message is for authors."""


def lookup(facts: Facts, path: tuple[str, ...]) -> Any:
    """The value at a dotted name (split at compile time), or None where the path ends."""
    value: Any = facts
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def compile_condition(spec: Mapping[str, Any], hours: Mapping[str, Hours]) -> Predicate:
    if "open" in spec:
        name = spec["open"]
        if name not in hours:
            known = ", ".join(sorted(hours)) or "none are defined"
            raise ConditionError(f"no opening hours are called '{name}' (known: {known})")
        table = hours[name]
        return lambda _facts, now: table.is_open(now)
    if "all" in spec:
        parts = [compile_condition(s, hours) for s in spec["all"]]
        return lambda facts, now: all(p(facts, now) for p in parts)
    if "any" in spec:
        parts = [compile_condition(s, hours) for s in spec["any"]]
        return lambda facts, now: any(p(facts, now) for p in parts)
    if "not" in spec:
        inner = compile_condition(spec["not"], hours)
        return lambda facts, now: not inner(facts, now)
    path = tuple(spec["var"].split("."))
    test = _comparison(spec)
    return lambda facts, _now: test(lookup(facts, path))


def _comparison(spec: Mapping[str, Any]) -> Callable[[Any], bool]:
    if "equals" in spec:
        expected = _as_text(spec["equals"])
        return lambda value: _as_text(value) == expected
    if "one_of" in spec:
        options = frozenset(_as_text(v) for v in spec["one_of"])
        return lambda value: _as_text(value) in options
    if "matches" in spec:
        try:
            pattern = re.compile(spec["matches"])
        except re.error as exc:
            raise ConditionError(f"'{spec['matches']}' is not a valid pattern: {exc}") from None
        return lambda value: pattern.search(_as_text(value)) is not None
    if "empty" in spec:
        want_empty = bool(spec["empty"])
        return lambda value: (_as_text(value) == "") == want_empty
    if "contains" in spec:
        part = _as_text(spec["contains"])
        return lambda value: part in _as_text(value)
    if "starts_with" in spec:
        prefix = _as_text(spec["starts_with"])
        return lambda value: _as_text(value).startswith(prefix)
    for key, parse, before in _MOMENTS:
        if key in spec:
            return _moment(key, spec[key], parse, before=before)
    if "less_than" in spec or "greater_than" in spec:
        bound = _number(spec.get("less_than", spec.get("greater_than")))
        less = "less_than" in spec

        def compare(value: Any) -> bool:
            number = _number(value)
            if number is None or bound is None:
                return False
            return number < bound if less else number > bound

        return compare
    raise ConditionError(
        "a 'var' condition needs a test: equals, one_of, matches, contains, starts_with, "
        "empty, less_than, greater_than, before_time, after_time, before_date or after_date"
    )


def _time_of(value: Any) -> time | None:
    """A time of day from "HH:MM", "HH:MM:SS" or an ISO date and time."""
    text = _as_text(value).strip()
    try:
        return time.fromisoformat(text) if len(text) <= 8 else datetime.fromisoformat(text).time()
    except ValueError:
        return None


def _date_of(value: Any) -> date | None:
    """A calendar date from "YYYY-MM-DD" or an ISO date and time."""
    text = _as_text(value).strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        return None


_Parse = Callable[[Any], "time | date | None"]
_MOMENTS: tuple[tuple[str, _Parse, bool], ...] = (
    ("before_time", _time_of, True),
    ("after_time", _time_of, False),
    ("before_date", _date_of, True),
    ("after_date", _date_of, False),
)


def _moment(key: str, bound_text: Any, parse: _Parse, *, before: bool) -> Callable[[Any], bool]:
    bound = parse(bound_text)
    if bound is None:
        wanted = "a time such as 09:30" if key.endswith("time") else "a date such as 2026-12-24"
        raise ConditionError(f"'{bound_text}' is not {wanted} ('{key}')")
    # Times carry no zone: compare what the clock reads, whatever zone the value came in.
    if isinstance(bound, time):
        bound = bound.replace(tzinfo=None)

    def compare(value: Any) -> bool:
        moment = parse(value)
        if moment is None:
            return False
        if isinstance(moment, time):
            moment = moment.replace(tzinfo=None)
        return moment < bound if before else moment > bound  # type: ignore[operator]

    return compare


def describe(spec: Mapping[str, Any]) -> str:
    """A short label for diagrams and coverage reports."""
    if "open" in spec:
        return f"open {spec['open']}"
    if "not" in spec:
        return f"not ({describe(spec['not'])})"
    for joiner in ("all", "any"):
        if joiner in spec:
            word = " and " if joiner == "all" else " or "
            return word.join(describe(s) for s in spec[joiner])
    test = next(k for k in spec if k != "var")
    value = spec[test]
    if isinstance(value, list):
        value = "[" + ", ".join(_as_text(v) for v in value) + "]"
    return f"{spec['var']} {test.replace('_', ' ')} {_as_text(value)}"
