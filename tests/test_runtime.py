"""The runtime step function, tested directly: retries, switch, hours, templates, languages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from flowengine.flow.compiler import compile_source
from flowengine.flow.graph import Graph
from flowengine.runtime.interpreter import Event, FlowRuntimeError, StepResult, step
from flowengine.runtime.session import CallSession

CALL = {"CallSid": "CA" + "0" * 32, "From": "+15551112222", "To": "+15553334444"}
NOON_NY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday 12:00 in New York


def flow(source: str, environ: dict[str, str] | None = None) -> Graph:
    return compile_source(source, "test.yaml", environ or {})


def start(graph: Graph, now: datetime = NOON_NY, **params: str) -> StepResult:
    return step(graph, None, Event("call", {**CALL, **params}), now)


def then(
    graph: Graph,
    session: CallSession,
    kind: str,
    state: str,
    now: datetime = NOON_NY,
    **params: str,
) -> StepResult:
    return step(graph, session, Event(kind, {**CALL, **params}, state), now)


def says(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return ["".join(node.itertext()) for node in root.iter("Say")]


MENU = """
start: menu
states:
  menu:
    gather:
      digits: 1
      say: For sales press 1.
    on:
      "1, sales": sales
      _9XX: extension
    retry:
      max: 3
      no-input: ["I did not hear you.", "Please press a key now."]
      no-match: Not an option.
      then: goodbye
  sales:
    say: Sales.
    hangup: true
  extension:
    say: "Extension {{ call.digits }}."
    hangup: true
  goodbye:
    say: Goodbye.
    hangup: true
"""


def test_digits_choose_the_option_and_the_states_are_rendered_in_one_document() -> None:
    graph = flow(MENU)
    first = start(graph)
    assert says(first.twiml) == ["For sales press 1."]
    assert first.session.state == "menu"
    result = then(graph, first.session, "gather", "menu", Digits="1")
    assert says(result.twiml) == ["Sales."]
    assert result.twiml.endswith("<Say>Sales.</Say><Hangup/></Response>")
    assert result.trace == [("menu", "1, sales", "sales")]
    assert result.session.ended and result.session.outcome == "hangup"


def test_digit_patterns_match_whole_input() -> None:
    graph = flow(MENU)
    session = start(graph).session
    result = then(graph, session, "gather", "menu", Digits="912")
    assert says(result.twiml) == ["Extension 912."]
    retry = then(graph, start(graph).session, "gather", "menu", Digits="9123")
    assert says(retry.twiml)[0] == "Not an option."


def test_speech_is_normalised_for_case_and_punctuation() -> None:
    graph = flow(MENU)
    result = then(graph, start(graph).session, "gather", "menu", SpeechResult="Sales, please!")
    assert says(result.twiml) == ["Sales."]


def test_retry_escalates_prompts_then_gives_up_after_max_attempts() -> None:
    graph = flow(MENU)
    session = start(graph).session
    first = then(graph, session, "gather", "menu")
    assert says(first.twiml) == ["I did not hear you.", "For sales press 1."]
    second = then(graph, first.session, "gather", "menu", Digits="7")
    assert says(second.twiml) == ["Not an option.", "For sales press 1."]
    third = then(graph, second.session, "gather", "menu")
    assert says(third.twiml) == ["Goodbye."]
    assert third.trace == [("menu", "retry", "goodbye")]
    assert first.trace == [("menu", "no-input", "menu")]


def test_second_no_input_uses_the_second_prompt() -> None:
    graph = flow(MENU.replace("max: 3", "max: 5"))
    session = start(graph).session
    for expected in ["I did not hear you.", "Please press a key now.", "Please press a key now."]:
        result = then(graph, session, "gather", "menu")
        assert says(result.twiml)[0] == expected
        session = result.session


def test_attempts_reset_when_the_caller_comes_back_to_the_state() -> None:
    source = MENU.replace("    say: Sales.\n    hangup: true", "    say: Sales.\n    next: menu")
    graph = flow(source)
    session = then(graph, start(graph).session, "gather", "menu").session
    assert session.attempts == {"no-input": 1}
    session = then(graph, session, "gather", "menu", Digits="1").session
    assert session.attempts == {}


def test_without_a_retry_policy_the_call_hangs_up_after_three_failures() -> None:
    graph = flow("""
start: menu
states:
  menu:
    gather: {digits: 1, say: Press 1.}
    on: {"1": menu}
""")
    session = start(graph).session
    for _ in range(2):
        session = then(graph, session, "gather", "menu").session
    last = then(graph, session, "gather", "menu")
    assert last.twiml.endswith("<Hangup/></Response>")
    assert last.session.outcome == "retries-exhausted"


HOURS = """
start: check
hours:
  office:
    timezone: America/New_York
    weekly: {mon-fri: "09:00-17:30", sat: ["10:00-12:00", "13:00-14:00"]}
    closed: ["2026-12-25"]
states:
  check:
    switch:
      - when: {open: office}
        next: open
      - next: closed
  open: {say: Open., hangup: true}
  closed: {say: Closed., hangup: true}
"""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 25, 17, 0, tzinfo=UTC), "Open."),  # Wed 12:00 New York
        (datetime(2026, 11, 25, 22, 29, tzinfo=UTC), "Open."),  # Wed 17:29
        (datetime(2026, 11, 25, 22, 30, tzinfo=UTC), "Closed."),  # Wed 17:30
        (datetime(2026, 11, 28, 17, 30, tzinfo=UTC), "Closed."),  # Sat 12:30, lunch
        (datetime(2026, 11, 28, 18, 0, tzinfo=UTC), "Open."),  # Sat 13:00
        (datetime(2026, 11, 29, 17, 0, tzinfo=UTC), "Closed."),  # Sunday
        (datetime(2026, 12, 25, 17, 0, tzinfo=UTC), "Closed."),  # holiday
        (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), "Open."),  # Wed 09:00 EDT (summer time)
        (datetime(2026, 7, 1, 12, 59, tzinfo=UTC), "Closed."),  # Wed 08:59 EDT
    ],
    ids=[
        "midday",
        "before-close",
        "at-close",
        "lunch",
        "after-lunch",
        "sunday",
        "holiday",
        "summer-open",
        "summer-early",
    ],
)
def test_opening_hours_with_a_fixed_clock(moment: datetime, expected: str) -> None:
    assert says(start(flow(HOURS), moment).twiml) == [expected]


SWITCH = """
start: check
states:
  check:
    switch:
      - when: {var: call.from, one_of: ["+15550000666"]}
        next: blocked
      - when: {var: call.from, matches: "^\\\\+44"}
        next: uk
      - when: {all: [{var: vars.tries, greater_than: 2}, {not: {var: vars.tries, less_than: 10}}]}
        next: many
      - when: {var: call.caller_name, empty: true}
        next: anonymous
      - when: {var: call.caller_name, equals: ACME}
        next: acme
      - next: other
  blocked: {reject: busy}
  uk: {say: UK., hangup: true}
  many: {say: Many., hangup: true}
  anonymous: {say: Anonymous., hangup: true}
  acme: {say: Acme., hangup: true}
  other:
    set: {tries: 12}
    say: Other.
    hangup: true
"""


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"From": "+15550000666"}, '<Reject reason="busy"/>'),
        ({"From": "+442071234567"}, "<Say>UK.</Say>"),
        ({"CallerName": ""}, "<Say>Anonymous.</Say>"),
        ({"CallerName": "ACME"}, "<Say>Acme.</Say>"),
        ({"CallerName": "Someone"}, "<Say>Other.</Say>"),
    ],
    ids=["one-of", "matches", "empty", "equals", "otherwise"],
)
def test_switch_conditions(params: dict[str, str], expected: str) -> None:
    result = start(flow(SWITCH), **params)
    assert expected in result.twiml


def test_reject_is_the_first_verb_so_the_call_is_not_answered() -> None:
    result = start(flow(SWITCH), From="+15550000666")
    assert result.twiml.endswith('<Response><Reject reason="busy"/></Response>')


@pytest.mark.parametrize(
    ("tries", "expected"),
    [("10", "Many."), ("25", "Many."), ("3", "Other."), ("2", "Other."), ("x", "Other.")],
)
def test_numbers_compare_as_numbers_in_conditions(tries: str, expected: str) -> None:
    graph = flow(
        SWITCH.replace("start: check", "start: count").replace(
            "states:\n", f"states:\n  count:\n    set: {{tries: '{tries}'}}\n    next: check\n", 1
        )
    )
    result = start(graph, CallerName="x")
    assert result.trace[0] == ("count", "next", "check")
    assert says(result.twiml) == [expected]


LANGUAGES = """
start: choose
voice: alice
languages:
  en: {voice: Polly.Joanna, language: en-US}
  fr: {voice: Polly.Celine, language: fr-FR}
states:
  choose:
    gather: {digits: 1, say: {en: Press 9 for French., fr: Appuyez sur 9.}}
    on:
      "9": {next: hello, set: {language: fr}}
      "1": hello
  hello:
    say: {en: Hello., fr: Bonjour.}
    sms: {body: "{% if vars.language == 'fr' %}Merci{% else %}Thanks{% endif %}"}
    hangup: true
"""


def test_the_first_language_is_the_default_with_its_voice() -> None:
    graph = flow(LANGUAGES)
    result = start(graph)
    assert '<Say language="en-US" voice="Polly.Joanna">Press 9 for French.</Say>' in result.twiml
    english = then(graph, result.session, "gather", "choose", Digits="1")
    assert '<Say language="en-US" voice="Polly.Joanna">Hello.</Say>' in english.twiml


def test_choosing_a_language_changes_text_and_voice_for_the_rest_of_the_call() -> None:
    graph = flow(LANGUAGES)
    result = then(graph, start(graph).session, "gather", "choose", Digits="9")
    assert '<Say language="fr-FR" voice="Polly.Celine">Bonjour.</Say>' in result.twiml
    assert result.messages[0].body == "Merci"
    assert result.messages[0].to == CALL["From"] and result.messages[0].from_ == CALL["To"]


def test_templates_read_call_vars_and_settings() -> None:
    graph = flow(
        """
start: a
settings:
  office: ${OFFICE_NAME:-Springfield}
  line: ${SALES_LINE}
states:
  a:
    set: {greeting: "Hi {{ call.from | slice: -4, 4 }}"}
    say: "{{ vars.greeting }}, welcome to {{ settings.office | upcase }}."
    dial: "{{ settings.line }}"
""",
        {"SALES_LINE": "+15559990000"},
    )
    result = start(graph)
    assert says(result.twiml) == ["Hi 2222, welcome to SPRINGFIELD."]
    assert "<Number>+15559990000</Number>" in result.twiml


HOSTILE = "</Say><Hangup/><Say>&amp; \x00\x07 ]]> \"quotes\" 'single'"


@pytest.mark.parametrize("markup", [False, True], ids=["plain", "ssml"])
def test_nothing_a_caller_says_can_inject_markup(markup: bool) -> None:
    text = (
        'You said <break time="1s"/> {{ call.speech }}' if markup else "You said {{ call.speech }}"
    )
    graph = flow(f"""
start: ask
states:
  ask:
    gather: {{say: Say something.}}
    next: echo
  echo:
    say: '{text}'
    hangup: true
""")
    result = then(graph, start(graph).session, "gather", "ask", SpeechResult=HOSTILE)
    root = ET.fromstring(result.twiml)
    assert [child.tag for child in root] == ["Say", "Hangup"]
    spoken = "".join(root[0].itertext())
    assert "</Say><Hangup/><Say>&amp;" in spoken
    assert "\x00" not in spoken


def test_a_callback_for_an_unknown_state_is_a_runtime_error() -> None:
    graph = flow(MENU)
    with pytest.raises(FlowRuntimeError):
        then(graph, start(graph).session, "gather", "nowhere", Digits="1")
    with pytest.raises(FlowRuntimeError):
        then(graph, start(graph).session, "dial", "menu")


def test_entry_at_a_named_state() -> None:
    graph = flow(MENU)
    result = step(graph, None, Event("call", CALL, "goodbye"), NOON_NY)
    assert says(result.twiml) == ["Goodbye."]


def test_status_callback_ends_the_session() -> None:
    graph = flow(MENU)
    session = start(graph).session
    result = step(graph, session, Event("status", {**CALL, "CallStatus": "completed"}), NOON_NY)
    assert result.session.ended and result.session.outcome == "completed"
    assert result.twiml.endswith("<Response></Response>")


DIAL = """
start: sales
states:
  sales:
    dial: {number: "+15551234567", timeout: 20, caller_id: "+15550001111", send_digits: "ww12"}
    on:
      answered: done
      busy, no-answer: voicemail
  voicemail:
    record: {max_length: 60, beep: true, trim: false}
    on: {recorded: done, no-recording: done}
  done: {say: Bye., hangup: true}
"""


@pytest.mark.parametrize(
    ("status", "expected_state"),
    [
        ("completed", "done"),
        ("answered", "done"),
        ("busy", "voicemail"),
        ("no-answer", "voicemail"),
    ],
)
def test_dial_outcomes_and_the_answered_alias(status: str, expected_state: str) -> None:
    graph = flow(DIAL)
    result = then(graph, start(graph).session, "dial", "sales", DialCallStatus=status)
    assert result.trace[0][2] == expected_state


def test_a_dial_outcome_without_a_handler_hangs_up() -> None:
    graph = flow(DIAL)
    result = then(graph, start(graph).session, "dial", "sales", DialCallStatus="failed")
    assert result.twiml.endswith("<Hangup/></Response>")
    assert result.session.outcome == "failed"


def test_dial_and_record_attributes() -> None:
    graph = flow(DIAL)
    first = start(graph)
    assert (
        '<Dial action="/voice/test/sales/dial" callerId="+15550001111" method="POST" timeout="20">'
        '<Number sendDigits="ww12">+15551234567</Number></Dial>'
    ) in first.twiml
    record = then(graph, first.session, "dial", "sales", DialCallStatus="busy")
    assert (
        '<Record action="/voice/test/voicemail/record" maxLength="60" method="POST" '
        'playBeep="true" trim="do-not-trim"/>'
    ) in record.twiml
    done = then(
        graph, record.session, "record", "voicemail", RecordingUrl="", RecordingDuration="0"
    )
    assert done.trace == [("voicemail", "no-recording", "done")]


SMS_FLOW = """
channel: sms
start: menu
states:
  menu:
    reply: Text HOURS or ADDRESS.
    on:
      "hours, open": hours
      address: address
  hours:
    reply: 9 to 5.
    next: menu
  address:
    reply: "12 Main St, {{ call.from }}"
    media: ["https://example.com/map.png"]
"""


def test_messaging_first_text_is_matched_against_the_start_state() -> None:
    graph = flow(SMS_FLOW)
    params = {"From": "+15551112222", "To": "+15553334444", "Body": "What HOURS are you open?"}
    result = step(graph, None, Event("sms", params), NOON_NY)
    assert result.twiml.endswith(
        "<Response><Message>9 to 5.</Message><Message>Text HOURS or ADDRESS.</Message></Response>"
    )
    assert result.session.state == "menu"
    second = step(graph, result.session, Event("sms", {**params, "Body": "address"}), NOON_NY)
    assert (
        "<Message><Body>12 Main St, +15551112222</Body>"
        "<Media>https://example.com/map.png</Media></Message>"
    ) in second.twiml
    assert second.session.ended


def test_messaging_no_match_repeats_the_state() -> None:
    graph = flow(SMS_FLOW)
    params = {"From": "+15551112222", "To": "+15553334444", "Body": "hello?"}
    result = step(graph, None, Event("sms", params), NOON_NY)
    assert "<Message>Text HOURS or ADDRESS.</Message>" in result.twiml


def test_redirect_to_a_state_of_the_same_flow_goes_through_a_new_request() -> None:
    graph = flow("""
start: a
states:
  a:
    set: {seen: "yes"}
    say: Hold on.
    redirect: {state: b}
  b:
    say: "Seen {{ vars.seen }}."
    hangup: true
""")
    first = start(graph)
    assert first.twiml.endswith(
        '<Say>Hold on.</Say><Redirect method="POST">/voice/test/b/redirect</Redirect></Response>'
    )
    assert first.trace == [("a", "redirect", "b")]
    assert not first.session.ended
    second = then(graph, first.session, "redirect", "b")
    assert says(second.twiml) == ["Seen yes."]
    assert second.session.ended


def test_a_template_that_fails_on_caller_input_is_a_runtime_error() -> None:
    graph = flow("""
start: ask
states:
  ask:
    gather: {say: How many?}
    next: answer
  answer:
    say: "That is {{ 100 | divided_by: call.digits }} each."
    hangup: true
""")
    with pytest.raises(FlowRuntimeError, match="template error"):
        then(graph, start(graph).session, "gather", "ask", Digits="0")


def test_record_with_no_finish_key_keeps_the_empty_attribute() -> None:
    graph = flow("start: r\nstates:\n  r:\n    record: {finish_on_key: ''}\n    next: r\n")
    assert (
        '<Record action="/voice/test/r/record" method="POST" finishOnKey=""/>' in start(graph).twiml
    )


def test_a_hand_over_to_a_state_of_the_same_flow_keeps_the_variables() -> None:
    graph = flow("""
start: a
states:
  a:
    set: {ticket: "T-42"}
    redirect: {flow: test, state: b}
  b:
    say: "Ticket {{ vars.ticket }}."
    hangup: true
""")
    first = start(graph)
    again = step(graph, first.session, Event("call", CALL, "b"), NOON_NY)
    assert says(again.twiml) == ["Ticket T-42."]


def test_a_late_callback_for_another_state_does_not_reuse_its_retry_count() -> None:
    graph = flow(MENU)
    session = then(graph, start(graph).session, "gather", "menu").session
    session.state = "elsewhere"  # as if the call had moved on before this callback
    result = then(graph, session, "gather", "menu")
    assert says(result.twiml)[0] == "I did not hear you."
    assert result.session.attempts == {"no-input": 1}
