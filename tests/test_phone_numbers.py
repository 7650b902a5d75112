"""Phone numbers: every place a number goes says what is wrong, and Twilio's refusals are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowengine.diagnostics import Severity
from flowengine.flow.compiler import compile_source
from flowengine.lint.gate import Gate
from flowengine.lint.runner import lint_paths
from flowengine.server.config import ServerConfig

NEEDS = "is not a phone number: a phone number needs + and the country code, digits only"


def lint(tmp_path: Path, states: str) -> list[tuple[int, int, str, str, str, Severity]]:
    path = tmp_path / "f.yaml"
    path.write_text(f"start: a\nstates:\n{states}", encoding="utf-8")
    result = lint_paths([str(path)])
    return [(d.line, d.column, d.code, d.message, d.hint, d.severity) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("state", "where", "column"),
    [
        ("    dial: 15551230003\n", "'dial'", 11),
        ("    dial: {number: 15551230003}\n", "'dial.number'", 20),
        ("    dial: {numbers: ['+15551230001', 15551230003]}\n", "'dial.numbers (item 2)'", 38),
        ("    dial: {number: '+15551230001', caller_id: 15551230003}\n", "'dial.caller_id'", 47),
        ("    sms: {to: 15551230003, body: hi}\n", "'sms.to'", 15),
        ("    sms: {from: 15551230003, body: hi}\n", "'sms.from'", 17),
    ],
)
def test_an_unquoted_number_says_a_phone_number_needs_the_plus(
    tmp_path: Path, state: str, where: str, column: int
) -> None:
    found = lint(tmp_path, f"  a:\n{state}    next: b\n  b: {{hangup: true}}\n")
    assert found == [
        (
            4,
            column,
            "FE003",
            f"state 'a': {where}: 15551230003 {NEEDS}",
            "write it with the + and the country code, e.g. +15551230003",
            Severity.ERROR,
        )
    ]


def test_a_number_twilio_refuses_is_an_error_with_the_number_to_write(tmp_path: Path) -> None:
    found = lint(tmp_path, "  a:\n    dial: '15551230003'\n    next: b\n  b: {hangup: true}\n")
    assert found == [
        (
            4,
            12,
            "FE207",
            "'15551230003' is not a phone number Twilio accepts: a phone number needs + and the "
            "country code, digits only",
            "write it as '+15551230003'",
            Severity.ERROR,
        )
    ]
    found = lint(tmp_path, "  a:\n    dial: '(555) 123-0003'\n    next: b\n  b: {hangup: true}\n")
    assert found[0][4] == "write + and the country code, e.g. +15551230001"


def test_a_compared_number_is_only_a_warning(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "  a:\n    switch:\n      - when: {var: call.from, equals: '5551112222'}\n"
        "        next: b\n      - next: b\n  b: {hangup: true}\n",
    )
    assert [(code, severity) for _, _, code, _, _, severity in found] == [
        ("FE207", Severity.WARNING)
    ]


def test_the_server_refuses_a_flow_that_dials_a_number_twilio_refuses() -> None:
    graph = compile_source(
        "start: a\nstates:\n  a:\n    dial: '0033612345678'\n    next: b\n  b: {hangup: true}\n",
        "f.yaml",
        {},
    )
    [problem] = Gate().refused(graph)
    assert (problem.code, problem.hint) == ("FE207", "write it as '+33612345678'")


def test_a_bad_fallback_number_stops_the_server_before_it_starts() -> None:
    config = ServerConfig(auth_token="t", fallback_dial="555-1234")
    assert config.problems() == [
        "the fallback number '555-1234' (--fallback-dial, FLOWENGINE_FALLBACK_DIAL) is not a "
        "phone number Twilio accepts: a phone number needs + and the country code, digits "
        "only, e.g. +15551230001"
    ]
