"""URL-valued attributes are templates like every other text: rendered for each call,
compiled and checked at load time (a broken one is a lint error with its position)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowengine.flow.compiler import compile_source
from flowengine.lint.runner import lint_paths
from flowengine.runtime import Event, step

FLOW = """\
start: pick
states:
  pick:
    set: {agent_id: "a&7"}
    next: voicemail
  voicemail:
    record:
      transcribe: true
      transcribe_callback: "https://crm.example.com/rec?agent={{ vars.agent_id }}"
    next: queue
  queue:
    enqueue:
      queue: support
      wait_url: "https://hold.example.com/{{ vars.agent_id }}.xml"
    on:
      bridged, hangup, leave, queue-full, error, system-error: bye
  bye:
    hangup: true
"""
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CALL = {"CallSid": "CA1", "From": "+15551112222", "To": "+15553334444"}


def test_url_attributes_are_rendered_for_each_call() -> None:
    graph = compile_source(FLOW, "urls.yaml", {})
    first = step(graph, None, Event("call", CALL), NOW)
    assert 'transcribeCallback="https://crm.example.com/rec?agent=a&amp;7"' in first.twiml
    after = step(graph, first.session, Event("record", CALL, "voicemail"), NOW)
    assert 'waitUrl="https://hold.example.com/a&amp;7.xml"' in after.twiml
    assert "{{" not in first.twiml + after.twiml


def test_constant_urls_are_written_as_before() -> None:
    graph = compile_source(FLOW.replace("{{ vars.agent_id }}", "x"), "urls.yaml", {})
    first = step(graph, None, Event("call", CALL), NOW)
    assert (
        '<Record action="/voice/urls/voicemail/record" method="POST" transcribe="true" '
        'transcribeCallback="https://crm.example.com/rec?agent=x"/>'
    ) in first.twiml


@pytest.mark.parametrize(
    ("broken", "line", "column"),
    [
        ('"https://crm.example.com/rec?agent={{ vars.agent_id }}"', 9, 28),
        ('"https://hold.example.com/{{ vars.agent_id }}.xml"', 14, 17),
    ],
    ids=["transcribe_callback", "wait_url"],
)
def test_a_broken_url_template_is_a_lint_error(
    tmp_path: Path, broken: str, line: int, column: int
) -> None:
    path = tmp_path / "urls.yaml"
    path.write_text(FLOW.replace(broken, broken.replace("}}", "}")))
    found = [(d.code, d.line, d.column) for d in lint_paths([str(path)]).diagnostics]
    assert ("FE103", line, column) in found


def test_an_unknown_variable_in_a_url_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "urls.yaml"
    path.write_text(FLOW.replace("rec?agent={{ vars.agent_id }}", "rec?agent={{ vars.agnet }}"))
    found = [(d.code, d.line) for d in lint_paths([str(path)]).diagnostics]
    assert ("FE104", 9) in found
