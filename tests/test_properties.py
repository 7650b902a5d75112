"""Random callers: whatever they press, say or do, every step answers a well-formed Response."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote_plus

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import DIAL_OUTCOMES, QUEUE_OUTCOMES, Graph
from flowengine.runtime.interpreter import Event, step
from flowengine.runtime.session import CallSession
from tests.conftest import EXAMPLE_FLOWS

FLOWS = EXAMPLE_FLOWS
GRAPHS = {path.stem: load_flow(str(path), environ={}) for path in sorted(FLOWS.glob("*.yaml"))}
VOICE = sorted(name for name, graph in GRAPHS.items() if graph.channel == "voice")
SMS = sorted(name for name, graph in GRAPHS.items() if graph.channel == "sms")
CALLBACK = re.compile(r"^/voice/([^/]+)/([^/]+)/(gather|dial|record|enqueue)$")
HANDOFF = re.compile(r"^/voice/([^/?]+)(?:\?state=(.+))?$")

keys = st.text(alphabet="0123456789*#", max_size=6)
speech = st.text(max_size=40) | st.sampled_from(["sales", "Support!", "English.", "agent", ""])
numbers = st.from_regex(r"\+1555[0-9]{7}", fullmatch=True) | st.sampled_from(
    ["+15550000666", "+15557770001", "", "anonymous"]
)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def answer(kind: str, data: st.DataObject) -> dict[str, str]:
    if kind == "gather":
        return {"Digits": data.draw(keys), "SpeechResult": data.draw(speech)}
    if kind == "dial":
        return {"DialCallStatus": data.draw(st.sampled_from([*DIAL_OUTCOMES, "", "weird"]))}
    if kind == "record":
        return {
            "RecordingUrl": data.draw(st.sampled_from(["", "https://api.twilio.com/r/RE1"])),
            "RecordingDuration": data.draw(st.sampled_from(["0", "7", ""])),
        }
    return {"QueueResult": data.draw(st.sampled_from([*QUEUE_OUTCOMES, ""]))}


def well_formed(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), flow=st.sampled_from(VOICE), caller=numbers, now=moments)
def test_random_calls_always_get_well_formed_twiml(
    data: st.DataObject, flow: str, caller: str, now: datetime
) -> None:
    graph: Graph = GRAPHS[flow]
    base = {"CallSid": "CA" + "1" * 32, "From": caller, "To": "+15553334444"}
    extra = {"QueueTime": data.draw(st.sampled_from(["0", "30", "900"])), "QueuePosition": "3"}
    result = step(graph, None, Event("call", {**base, **extra}), now)
    session: CallSession = result.session
    for _ in range(12):
        root = well_formed(result.twiml)
        if session.ended:
            break
        waiting = [node for node in root if node.get("action")]
        redirect = root.find("Redirect")
        if waiting:
            match = CALLBACK.match(waiting[-1].get("action", ""))
            assert match, waiting[-1].attrib
            _, state, kind = match.groups()
            params = {**base, **answer(kind, data)}
            result = step(graph, session, Event(kind, params, state), now)
        elif redirect is not None and HANDOFF.match(redirect.text or ""):
            other, state = HANDOFF.match(redirect.text or "").groups()  # type: ignore[union-attr]
            graph = GRAPHS[other]
            result = step(graph, session, Event("call", base, state), now)
        else:
            break
        session = result.session
    well_formed(result.twiml)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(speech, min_size=1, max_size=6), flow=st.sampled_from(SMS))
def test_random_texts_always_get_well_formed_replies(texts: list[str], flow: str) -> None:
    graph = GRAPHS[flow]
    session: CallSession | None = None
    for body in texts:
        params = {"From": "+15551112222", "To": "+15553334444", "Body": body}
        result = step(graph, session, Event("sms", params), datetime(2026, 11, 25, tzinfo=UTC))
        root = well_formed(result.twiml)
        assert all(child.tag == "Message" for child in root)
        session = result.session


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(codec="utf-8"), max_size=8),
            st.text(st.sampled_from("+%2Bb&= é0"), max_size=12)
            | st.text(st.characters(codec="utf-8"), max_size=12),
        ),
        max_size=6,
    )
)
def test_form_parser_reads_what_urlencode_writes(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import parse_qsl, urlencode

    from flowengine.server.webhook import parse_form

    body = urlencode(pairs).encode()
    assert parse_form(body) == dict(parse_qsl(body.decode(), keep_blank_values=True))
    # The escapes as written by hand, too, such as a lone "%2B" or a bad "%zz".
    raw = "&".join(f"{name}={value}" for name, value in pairs).encode()
    assert parse_form(raw) == dict(parse_qsl(raw.decode(), keep_blank_values=True))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(st.sampled_from("AbC+é%&= 0"), max_size=6),
            st.text(st.sampled_from("+%2Bb&= é0"), max_size=8)
            | st.text(st.characters(codec="utf-8"), max_size=8),
        ),
        max_size=8,
    ),
    st.sampled_from(["/voice/main", "/voice/main/menu/gather?x=1&y=%2F", "/status"]),
    st.sampled_from([None, "key=KS1,algorithm=HMAC_SHA256", "key=KS1,algorithm=HMAC_SHA1"]),
)
def test_the_signature_check_agrees_with_twilios_validator(
    pairs: list[tuple[str, str]], path: str, settings_header: str | None
) -> None:
    """The server's check (key prepared once, pairs sorted once) accepts exactly what
    twilio's RequestValidator signs, repeated names and values included, and refuses the
    same form signed over another URL or with another token."""
    from twilio.request_validator import RequestValidator, get_signature_algorithm

    from flowengine.server.signature import SignatureCheck, values_by_name
    from flowengine.server.webhook import header_map, parse_form
    from tests.conftest import TOKEN

    base = "https://ivr.example.com"
    pairs = [*pairs, *pairs[:2]]  # repeated names and values, as a form may carry
    form = parse_form("&".join(f"{quote_plus(n)}={quote_plus(v)}" for n, v in pairs).encode())
    algorithm = get_signature_algorithm(settings_header)
    signed = RequestValidator(TOKEN).compute_signature(
        base + path, values_by_name(form.pairs), algorithm
    )
    forged = RequestValidator(TOKEN + "x").compute_signature(
        base + path, values_by_name(form.pairs), algorithm
    )
    if settings_header is None or settings_header.endswith("SHA1"):
        # The fast path itself, not only its fallback to twilio's validator.
        assert SignatureCheck(TOKEN).sha1(base + path, form.pairs) == signed.encode()
    raw_path, _, query = path.partition("?")
    scope = {"raw_path": raw_path.encode(), "query_string": query.encode(), "headers": []}
    for url, signature, expected in (
        (base, signed, True),
        (base, forged, False),
        (base + "/other", signed, False),
    ):
        headers = [(b"x-twilio-signature", signature.encode())]
        if settings_header:
            headers.append((b"x-twilio-webhooks-signature-settings", settings_header.encode()))
        scope["headers"] = headers
        check = SignatureCheck(TOKEN, url)
        assert check.valid(scope, header_map(scope), form.pairs) is expected
