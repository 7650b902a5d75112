"""The YAML loader: positions for every node, YAML 1.2 scalars, duplicate keys as errors."""

from __future__ import annotations

import pytest

from flowengine.diagnostics import FlowError
from flowengine.flow.loader import parse


def test_every_key_and_value_keeps_its_line_and_column() -> None:
    doc = parse("start: menu\nstates:\n  menu:\n    gather: {digits: 1}\n", "f.yaml")
    assert doc.position(("states", "menu", "gather", "digits")) == (4, 22)
    assert doc.position(("states", "menu", "gather", "digits"), key=True) == (4, 14)
    assert doc.position(("states", "menu", "nothing", "here")) == (4, 5)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("no", "no"),
        ("true", True),
        ("12:30", "12:30"),
        ("2026-12-25", "2026-12-25"),
        ("+15551234567", "+15551234567"),
        ("0123", "0123"),
        ("42", 42),
        ("1.5", 1.5),
        ("~", None),
    ],
)
def test_yaml_1_2_scalars_and_phone_numbers_stay_text(text: str, value: object) -> None:
    assert parse(f"x: {text}\n").data == {"x": value}


def test_mapping_keys_are_the_text_as_written() -> None:
    assert parse("on: {1: a, 01: b, yes: c, '*': d}\n").data == {
        "on": {"1": "a", "01": "b", "yes": "c", "*": "d"}
    }


def test_anchors_and_merge_keys_work() -> None:
    data = parse("a: &k {x: 1}\nb: *k\nc: {<<: *k, y: 2}\n").data
    assert data == {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": 1, "y": 2}}


def test_a_key_written_twice_is_an_error_naming_both_lines() -> None:
    with pytest.raises(FlowError) as caught:
        parse("states:\n  a: 1\n  b: 2\n  a: 3\n", "f.yaml")
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.line, problem.column) == ("FE002", 4, 3)
    assert "first one is on line 2" in problem.message


def test_an_empty_file_has_no_data() -> None:
    assert parse("# nothing yet\n").data is None


def test_a_flow_of_thousands_of_states_in_a_row_compiles() -> None:
    """The compiler's loop check walks the states without recursion (a long chain once
    raised RecursionError in lint and in `import studio`)."""
    from flowengine.flow.compiler import compile_source

    count = 3000
    lines = ["start: s0", "states:"]
    for i in range(count):
        lines.append(f"  s{i}: {{say: Step {i}., next: s{i + 1}}}")
    lines.append(f"  s{count}: {{hangup: true}}")
    graph = compile_source("\n".join(lines) + "\n", "long.yaml", {})
    assert len(graph.states) == count + 1


def test_a_loop_without_wait_deep_in_a_long_chain_is_still_found() -> None:
    from flowengine.diagnostics import FlowError
    from flowengine.flow.compiler import compile_source

    count = 1500
    lines = ["start: s0", "states:"]
    for i in range(count):
        lines.append(f"  s{i}: {{say: Step {i}., next: s{i + 1}}}")
    lines.append(f"  s{count}: {{say: Again., next: s{count - 2}}}")
    try:
        compile_source("\n".join(lines) + "\n", "loop.yaml", {})
    except FlowError as exc:
        codes = {d.code for d in exc.diagnostics}
        messages = " ".join(d.message for d in exc.diagnostics)
    else:
        raise AssertionError("a loop without a wait compiled")
    assert codes == {"FE105"}
    assert f"s{count - 2} -> s{count - 1} -> s{count} -> s{count - 2}" in messages
