"""The switch conditions added for Studio's split types: contains, starts_with, times, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import compile_source
from flowengine.flow.conditions import ConditionError, compile_condition, describe

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("test", "value", "holds"),
    [
        ({"contains": "lph"}, "alpha", True),
        ({"contains": "LPH"}, "alpha", False),  # exact case, as equals
        ({"starts_with": "+44"}, "+442071234567", True),
        ({"starts_with": "+44"}, "+15551234567", False),
        ({"before_time": "12:00"}, "09:30", True),
        ({"before_time": "12:00"}, "2026-11-25T13:15:00-05:00", False),
        ({"after_time": "17:00"}, "17:00:01", True),
        ({"after_time": "17:00"}, "17:00", False),  # strictly after
        ({"after_time": "17:00"}, "not a time", False),
        ({"before_date": "2026-12-24"}, "2026-12-23", True),
        ({"before_date": "2026-12-24"}, "2026-12-24T08:00:00", False),
        ({"after_date": "2026-12-24"}, "2027-01-01", True),
        ({"after_date": "2026-12-24"}, "", False),
    ],
)
def test_new_conditions(test: dict[str, str], value: str, holds: bool) -> None:
    predicate = compile_condition({"var": "vars.x", **test}, {})
    assert predicate({"vars": {"x": value}}, NOW) is holds


def test_a_bound_that_is_no_time_is_refused_at_compile_time() -> None:
    with pytest.raises(ConditionError, match="'25:00' is not a time such as 09:30"):
        compile_condition({"var": "vars.x", "before_time": "25:00"}, {})


def test_the_schema_checks_the_format_of_times_and_dates() -> None:
    source = """
start: check
states:
  check:
    switch:
      - when: {var: vars.slot, after_time: "9:30"}
        next: done
      - next: done
  done: {hangup: true}
"""
    with pytest.raises(FlowError) as caught:
        compile_source(source, "t.yaml", {})
    assert any(d.code == "FE003" for d in caught.value.diagnostics)


def test_labels_for_diagrams_and_coverage() -> None:
    assert describe({"var": "call.from", "starts_with": "+44"}) == "call.from starts with +44"
    assert describe({"var": "vars.day", "before_date": "2026-12-24"}) == (
        "vars.day before date 2026-12-24"
    )
