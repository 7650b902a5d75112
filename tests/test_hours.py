"""Opening hours written the ways people write them, errors in words, and hours said aloud."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import compile_source, load_flow
from flowengine.flow.hours import HoursError, parse_hours
from flowengine.flow.hours_speech import next_open, weekly
from flowengine.runtime.interpreter import Event, step

PARIS = ZoneInfo("Europe/Paris")
OFFICE = Path(__file__).parent / "fixtures" / "hours" / "office.yaml"


def table(weekly_spec: dict[str, object], **extra: object) -> list[tuple[tuple[int, int], ...]]:
    return list(parse_hours("h", {"timezone": "UTC", "weekly": weekly_spec, **extra}).weekly)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("8:00-18:00", ((480, 1080),)),
        ("08:00 - 18:00", ((480, 1080),)),
        ("8am-6pm", ((480, 1080),)),
        ("8 a.m. to 6 p.m.", ((480, 1080),)),
        ("9-5:30pm", ((540, 1050),)),
        ("1-5pm", ((780, 1020),)),
        ("9-5", ((540, 1020),)),
        ("9h30-17h", ((570, 1020),)),
        ("9:00\u201317:00", ((540, 1020),)),  # an en dash, as word processors write it
        ("09:00-12:00, 13:00-17:00", ((540, 720), (780, 1020))),
        ("12pm-midnight", ((720, 1440),)),
        ("18:00-24:00", ((1080, 1440),)),
        ("closed", ()),
    ],
)
def test_time_ranges_as_people_write_them(text: str, spans: tuple[tuple[int, int], ...]) -> None:
    assert table({"mon": text})[0] == spans


@pytest.mark.parametrize(
    ("days", "open_days"),
    [
        ("mon-fri", [0, 1, 2, 3, 4]),
        ("monday-friday", [0, 1, 2, 3, 4]),
        ("Mon\u2013Fri", [0, 1, 2, 3, 4]),
        ("Monday - Wednesday, Sat", [0, 1, 2, 5]),
        ("sat,sun", [5, 6]),
        ("weekdays", [0, 1, 2, 3, 4]),
        ("Thurs", [3]),
    ],
)
def test_days_as_people_write_them(days: str, open_days: list[int]) -> None:
    week = table({days: "9-17"})
    assert [day for day, spans in enumerate(week) if spans] == open_days


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"weekly": {"mon": "9-"}},
            "'9-' is not an opening time range; write it like 09:00-17:30, 9am-5:30pm or closed",
        ),
        (
            {"weekly": {"mon": "25:00-26:00"}},
            "'25:00' in '25:00-26:00' is not a time of day; write times like 9:00, 17:30, "
            "9am or 5:30pm",
        ),
        (
            {"weekly": {"mon": "5pm-9am"}},
            "'5pm-9am' ends before it starts; a range past midnight must be split into two "
            "days, e.g. fri: 20:00-24:00 and sat: 00:00-02:00",
        ),
        (
            {"weekly": {"mon-fryday": "9-5"}},
            "'mon-fryday' is not a day or a range of days; write days like mon-fri, "
            "monday-friday, sat,sun or weekdays",
        ),
        (
            {"weekly": {"fri-mon": "9-5"}},
            "'fri-mon' runs backwards; write the days in week order, e.g. mon-fri",
        ),
        (
            {"weekly": {"mon": "9-5"}, "exceptions": {"24/12/2026": "9-2pm"}},
            "'24/12/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-24",
        ),
    ],
)
def test_errors_say_in_words_what_to_write(spec: dict[str, object], message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours("h", {"timezone": "UTC", **spec})
    assert str(caught.value) == message


def test_dated_exception_has_its_own_hours_and_closed_dates_win() -> None:
    hours = load_flow(str(OFFICE), environ={}).hours["office"]
    eve_noon = datetime(2026, 12, 24, 12, 0, tzinfo=PARIS)  # Thursday, closes at 14:00
    assert hours.is_open(eve_noon)
    assert not hours.is_open(eve_noon.replace(hour=15))
    assert not hours.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=PARIS))  # closed date
    assert hours.is_open(datetime(2026, 12, 23, 17, 0, tzinfo=PARIS))  # a plain Wednesday


def test_hours_said_in_english_and_french_falling_back_to_english() -> None:
    hours = load_flow(str(OFFICE), environ={}).hours["office"]
    assert weekly(hours, "en-US") == (
        "Monday to Friday, 9 AM to 5:30 PM; Saturday, 9 AM to 12 PM and 1 PM to 3 PM"
    )
    assert weekly(hours, "fr-FR") == (
        "du lundi au vendredi, de 9 h à 17 h 30 ; samedi, de 9 h à 12 h et de 13 h à 15 h"
    )
    assert weekly(hours, "de-DE") == weekly(hours, "en-US")
    eve_late = datetime(2026, 12, 24, 15, 0, tzinfo=PARIS)  # Friday the 25th is closed
    assert next_open(hours, eve_late, "en") == "on Saturday at 9 AM"
    assert next_open(hours, eve_late, "fr") == "samedi à 9 h"
    early = datetime(2026, 12, 21, 7, 0, tzinfo=PARIS)
    assert next_open(hours, early, "en") == "today at 9 AM"
    assert next_open(hours, early.replace(hour=10), "fr") == "demain à 9 h"
    saturday_noon = datetime(2026, 12, 19, 12, 30, tzinfo=PARIS)
    assert next_open(hours, saturday_noon, "en") == "today at 1 PM"
    far = parse_hours("h", {"timezone": "UTC", "weekly": {"mon": "9-5"}, "closed": ["2026-12-28"]})
    assert next_open(far, datetime(2026, 12, 21, 18, 0, tzinfo=PARIS), "en") == (
        "on January 4 at 9 AM"
    )


def test_the_prompt_speaks_the_same_table_the_switch_reads() -> None:
    graph = load_flow(str(OFFICE), environ={})
    call = {"CallSid": "CA" + "1" * 32, "From": "+33100000000", "To": "+33100000001"}
    closed = step(graph, None, Event("call", call), datetime(2026, 12, 24, 15, 0, tzinfo=PARIS))
    assert "Nous ouvrons samedi à 9 h. Horaires : du lundi au vendredi" in closed.twiml
    opened = step(graph, None, Event("call", call), datetime(2026, 12, 24, 9, 0, tzinfo=PARIS))
    assert "Nous sommes ouverts : du lundi au vendredi, de 9 h à 17 h 30" in opened.twiml


def test_an_unknown_hours_name_in_a_template_is_a_compile_error() -> None:
    source = OFFICE.read_text(encoding="utf-8").replace("hours.office.weekly", "hours.ofice.weekly")
    with pytest.raises(FlowError) as caught:
        compile_source(source, "office.yaml", {})
    problems = caught.value.diagnostics
    assert len(problems) == 2  # both prompts that read it
    for problem in problems:
        assert problem.code == "FE104"
        assert problem.message == "unknown variable 'hours.ofice.weekly'"
        assert "(office)" in problem.hint


def test_the_schema_accepts_every_written_form() -> None:
    source = (
        "start: a\nhours:\n  h:\n    timezone: UTC\n    weekly:\n"
        "      Monday-Friday: 8am-6pm\n      Sat: 9-5:30pm\n      sun: [9am-12pm, 1pm-3pm]\n"
        "    exceptions: {'2026-12-24': '9:00-14:00', '2026-12-31': closed}\n"
        "states:\n  a:\n    switch:\n      - when: {open: h}\n        next: b\n      - next: b\n"
        "  b: {say: hi, hangup: true}\n"
    )
    assert compile_source(source, "f.yaml", {}).hours["h"].exceptions[1][1] == ()


def test_flowengine_diff_sees_a_dated_exception() -> None:
    from datetime import date

    from flowengine.diff.hours import effect

    week = {"timezone": "Europe/Paris", "weekly": {"mon-fri": "9-17"}}
    old = parse_hours("office", week)
    new = parse_hours("office", {**week, "exceptions": {"2026-12-24": "9am-2pm"}})
    assert effect(old, new, date(2026, 12, 1)) == (
        "now closed 14:00-17:00 Europe/Paris on 2026-12-24 (thu) (was open)",
    )
