"""Lint rules on the cases their fixtures do not cover: one flow per case, exact results."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowengine.lint import Options, lint_paths

ENDS = "  goodbye:\n    say: Goodbye.\n    hangup: true\n"


def lint_text(tmp_path: Path, text: str, name: str = "flow", **others: str) -> list[str]:
    for other, source in others.items():
        (tmp_path / f"{other}.yaml").write_text(source, encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return [f"{d.code} {d.line}:{d.column}" for d in lint_paths([str(path)]).diagnostics]


def gather(on: str, options: str = "digits: 1", extra: str = "") -> str:
    return (
        "start: menu\nstates:\n  menu:\n    gather:\n      say: Choose.\n"
        f"      {options}\n    on:\n{on}      no-input: goodbye\n{extra}" + ENDS
    )


CASES = {
    "finish key in a key": (gather('      "1#": goodbye\n', "digits: 3"), ["FE204 8:8"]),
    "no finish key": (gather('      "1#": goodbye\n', "finish_on_key: ''"), []),
    "other finish key": (gather('      "1#": goodbye\n', "finish_on_key: '*'"), []),
    "pattern too long": (gather("      _1XX: goodbye\n", "digits: 2"), ["FE204 8:7"]),
    "pattern with any": (gather("      _1!: goodbye\n", "digits: 1"), []),
    "keys in speech gather": (
        gather('      "1, sales": goodbye\n', "input: speech"),
        ["FE204 8:8"],
    ),
    "second alternative": (gather('      "1, 22": goodbye\n'), ["FE204 8:11"]),
    "key twice": (gather('      "1": goodbye\n      "2, 1": goodbye\n'), ["FE205 9:11"]),
    "same words": (gather('      "sales": goodbye\n      "Sales!": goodbye\n'), ["FE205 9:8"]),
    "longer phrase first": (gather('      "front desk, desk": goodbye\n'), []),
    "retry handles silence": (
        "start: menu\nstates:\n  menu:\n    gather:\n      say: Choose.\n    on:\n"
        '      "1": goodbye\n    retry:\n      no-input: Sorry.\n      then: goodbye\n' + ENDS,
        [],
    ),
    "dial with next": (
        'start: a\nstates:\n  a:\n    dial: "+15551230001"\n    next: goodbye\n' + ENDS,
        [],
    ),
    "dial without on": (
        'start: a\nstates:\n  a:\n    dial: "+15551230001"\n' + ENDS,
        ["FE203 4:5", "FE201 5:3"],  # goodbye: nothing leads there
    ),
    "switch without otherwise": (
        "start: a\nstates:\n  a:\n    switch:\n      - when: {var: call.from, empty: true}\n"
        "        next: goodbye\n" + ENDS,
        ["FE202 3:3"],
    ),
    "reject after a gather": (
        "start: menu\nstates:\n  menu:\n    gather:\n      say: Press 1.\n    on:\n"
        '      "1": no\n      no-input: no\n  no:\n    reject: true\n',
        ["FE215 10:5"],
    ),
    "speaking reject": ("start: a\nstates:\n  a:\n    say: Hi.\n    reject: true\n", ["FE215 5:5"]),
    "caller number compared": (
        "start: a\nstates:\n  a:\n    switch:\n"
        '      - when: {var: call.from, one_of: ["+15550000001", "555-000-0002"]}\n'
        "        next: goodbye\n      - next: goodbye\n" + ENDS,
        ["FE207 5:58"],
    ),
    "setting default not e164": (
        "start: a\nsettings:\n  line: ${LINE:-5551230001}\nstates:\n  a:\n"
        '    dial: "{{ settings.line }}"\n    next: goodbye\n' + ENDS,
        ["FE207 3:17"],
    ),
    "dialled setting that is a name": (
        "start: a\nsettings:\n  line: sales\nstates:\n  a:\n"
        '    dial: "{{ settings.line }}"\n    next: goodbye\n' + ENDS,
        ["FE207 3:9"],
    ),
    "date setting is no phone": (
        'start: a\nsettings:\n  opened: "2026-12-25"\nstates:\n  a:\n'
        '    say: "Since {{ settings.opened }}."\n    next: goodbye\n' + ENDS,
        [],
    ),
    "google voice mismatch": (
        "start: goodbye\nvoice: Google.de-DE-Standard-A\nlanguage: fr-FR\nstates:\n" + ENDS,
        ["FE210 2:8"],
    ),
    "say object voice mismatch": (
        "start: goodbye\nstates:\n  goodbye:\n"
        "    say: {text: Hola, voice: Polly.Joanna, language: es-ES}\n    hangup: true\n",
        ["FE210 4:30"],
    ),
    "language table voice": (
        "start: goodbye\nlanguages:\n  en: {voice: Polly.Joanna, language: en-US}\n"
        "  fr: {voice: Polly.Joanna, language: fr-FR}\nstates:\n" + ENDS,
        ["FE210 4:15"],
    ),
    "neural voice is known": ("start: goodbye\nvoice: Polly.Joanna-Neural\nstates:\n" + ENDS, []),
    "gather language": (
        "start: menu\nstates:\n  menu:\n    gather:\n      say: Say yes.\n"
        "      language: en-XX\n    on:\n      'yes': goodbye\n      no-input: goodbye\n" + ENDS,
        ["FE209 6:17"],
    ),
    "google voice allows 5000": (
        "start: goodbye\nvoice: Google.en-US-Standard-A\nstates:\n  goodbye:\n"
        f"    say: {'Goodbye. ' * 500}\n    hangup: true\n",
        ["FE225 5:5"],  # within Twilio's limit, but over three minutes to hear
    ),
    "basic voice limit": (
        f"start: goodbye\nstates:\n  goodbye:\n    say: {'Goodbye. ' * 460}\n    hangup: true\n",
        ["FE211 4:10"],
    ),
    "ring tone": (
        'start: a\nstates:\n  a:\n    dial: {number: "+15551230001", ring_tone: xx}\n'
        "    next: goodbye\n" + ENDS,
        ["FE212 4:47"],
    ),
    "digits in a gather play": (
        "start: menu\nstates:\n  menu:\n    gather:\n      play: {digits: ww1}\n    on:\n"
        '      "1": goodbye\n      no-input: goodbye\n' + ENDS,
        ["FE212 5:14"],
    ),
    "setting read by a condition": (
        "start: a\nsettings:\n  region: eu\nstates:\n  a:\n    switch:\n"
        "      - when: {var: settings.region, equals: eu}\n        next: goodbye\n"
        "      - next: goodbye\n" + ENDS,
        [],
    ),
    "sms reply table": (
        "channel: sms\nstart: a\nlanguages:\n  en: {}\n  fr: {}\nstates:\n  a:\n"
        "    reply: {en: Hi}\n",
        ["FE214 8:12"],
    ),
    "sms keywords": (
        "channel: sms\nstart: a\nstates:\n  a:\n    reply: Text HOURS.\n    on:\n"
        "      hours: a\n      opening hours: a\n",
        ["FE205 8:7"],
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_rule_case(case: str, tmp_path: Path) -> None:
    text, expected = CASES[case]
    assert lint_text(tmp_path, text) == expected


HOLD = "start: music\nstates:\n  music:\n    say: Please hold.\n"
QUEUE = (
    "start: queue\nstates:\n  queue:\n    enqueue: {queue: support, wait: hold}\n"
    "    on:\n      queue-full, error, system-error: goodbye\n" + ENDS
)


def test_a_queue_waiting_flow_may_end_without_hangup(tmp_path: Path) -> None:
    assert lint_text(tmp_path, HOLD, name="hold") == ["FE202 3:3"]
    assert lint_text(tmp_path, HOLD, name="hold", support=QUEUE) == []


def test_an_enqueue_must_handle_leave_when_its_waiting_flow_leaves(tmp_path: Path) -> None:
    hold = HOLD + "    next: out\n  out:\n    leave: true\n"
    assert lint_text(tmp_path, QUEUE, name="support", hold=hold) == ["FE203 5:5"]


def test_states_other_flows_hand_calls_to_are_reachable(tmp_path: Path) -> None:
    flow = "start: a\nstates:\n  a:\n    hangup: true\n" + ENDS
    assert lint_text(tmp_path, flow, name="main") == ["FE201 5:3"]
    other = "start: x\nstates:\n  x:\n    redirect: {flow: main, state: goodbye}\n"
    assert lint_text(tmp_path, flow, name="main", other=other) == []


def test_a_hand_over_to_a_missing_state(tmp_path: Path) -> None:
    other = "start: x\nstates:\n  x:\n    redirect: {flow: main, state: nowhere}\n"
    assert lint_text(tmp_path, other, name="other", main=HOLD) == ["FE216 4:35"]


def test_an_unknown_waiting_flow(tmp_path: Path) -> None:
    assert lint_text(tmp_path, QUEUE, name="support") == ["FE216 4:37"]


def test_a_callback_names_a_flow_of_the_folder(tmp_path: Path) -> None:
    hold = (
        "start: offer\nstates:\n  offer:\n    say: We will call you back.\n"
        "    call_back: {flow: calback, tries: 2}\n"
    )
    assert lint_text(tmp_path, hold, name="hold", callback=CALLBACK, support=QUEUE) == [
        "FE216 5:23"
    ]
    fixed = hold.replace("calback", "callback")
    assert lint_text(tmp_path, fixed, name="hold", callback=CALLBACK, support=QUEUE) == []


CALLBACK = (
    "start: hi\nstates:\n  hi:\n    say: Hello, this is your call back.\n"
    "    enqueue: {queue: support}\n    next: goodbye\n" + ENDS
)
ASKS = (
    "start: offer\nstates:\n  offer:\n    say: We will call you back.\n"
    "    call_back: {flow: callback}\n"
)


def test_a_call_back_only_a_queue_wait_flow_gives_a_place_in_line(tmp_path: Path) -> None:
    # Not named by any enqueue's wait (and no leave): only the rate rule would place it.
    assert lint_text(tmp_path, ASKS, name="hold", callback=CALLBACK) == ["FE253 5:5"]
    assert lint_text(tmp_path, ASKS, name="hold", callback=CALLBACK, support=QUEUE) == []
    # An enqueue that names another wait flow does not make this one a wait flow.
    other = QUEUE.replace("wait: hold", "wait: music")
    assert lint_text(tmp_path, ASKS, name="hold", callback=CALLBACK, support=other) == ["FE253 5:5"]


@pytest.mark.parametrize(
    ("callback", "expected"),
    [
        (CALLBACK, []),
        (CALLBACK.replace("enqueue: {queue: support}", 'dial: "+15551230001"'), []),
        (CALLBACK.replace("enqueue: {queue: support}", "redirect: agents"), []),
        ("start: hi\nstates:\n  hi:\n    say: Hello.\n    hangup: true\n", ["FE254 5:23"]),
        ("start: hi\nstates:\n  hi:\n    say: Hello.\n    leave: true\n", ["FE254 5:23"]),
    ],
    ids=["enqueue", "dial", "redirect", "only-talks", "wait-flow"],
)
def test_a_callback_flow_must_connect_the_caller(
    tmp_path: Path, callback: str, expected: list[str]
) -> None:
    agents = "start: a\nstates:\n  a:\n    dial: {queue: support}\n    next: a\n"
    found = lint_text(tmp_path, ASKS, name="hold", callback=callback, support=QUEUE, agents=agents)
    assert found == expected


def test_a_call_back_naming_its_own_flow(tmp_path: Path) -> None:
    own = ASKS.replace("flow: callback", "flow: hold")
    assert lint_text(tmp_path, own, name="hold", support=QUEUE) == ["FE254 5:23"]


def test_rules_still_run_on_the_document_when_the_flow_does_not_compile(tmp_path: Path) -> None:
    text = "start: a\nvoice: Polly.Nobody\nstates:\n  a:\n    next: nowhere\n"
    assert lint_text(tmp_path, text) == ["FE208 2:8", "FE101 5:11"]


def test_select_skips_the_other_rules_entirely(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("start: a\nvoice: Polly.Nobody\nstates:\n  a:\n    say: Hi.\n")
    result = lint_paths([str(path)], Options(select=frozenset({"FE202"})))
    assert [d.code for d in result.diagnostics] == ["FE202"]


def test_suggestions_name_the_key_meant_and_never_spread_a_typo(tmp_path: Path) -> None:
    """prompt: suggests say:, a misspelt state definition is not suggested, a dedented on:
    is said to belong inside the state above it."""
    cases = {
        "prompt": (
            "start: menu\nstates:\n  menu:\n    prompt: hi\n    next: b\n  b:\n    hangup: true\n",
            (4, 5, "state 'menu' has an unknown key 'prompt'", "did you mean 'say'?"),
        ),
        "typo": (
            "start: menu\nstates:\n  menu:\n    say: hi\n    next: sales\n"
            "  salse:\n    say: Sales.\n    hangup: true\n",
            (
                5,
                11,
                "there is no state called 'sales'",
                "nothing goes to the state 'salse': if that name is misspelt, rename the "
                "state to 'sales'",
            ),
        ),
        "dedented": (
            "start: menu\nstates:\n  menu:\n    gather: {digits: 1, say: Press 1.}\n"
            '  on:\n    "1": b\n  b:\n    hangup: true\n',
            (
                5,
                3,
                "'on:' is written where states are named, so it reads as a state called 'on'",
                "it belongs inside the state 'menu' above it: indent 'on:' like the other "
                "keys of 'menu'",
            ),
        ),
    }
    for name, (source, expected) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(source, encoding="utf-8")
        found = lint_paths([str(path)]).diagnostics
        assert [(d.line, d.column, d.message, d.hint) for d in found] == [expected], name
    typo_used_elsewhere = cases["typo"][0].replace("start: menu", "start: salse")
    path = tmp_path / "used.yaml"
    path.write_text(typo_used_elsewhere, encoding="utf-8")
    [found] = lint_paths([str(path)]).diagnostics
    assert found.hint == "did you mean 'salse'?"  # something goes there: a real state
