"""Per-call costs of the per-request pieces the review questioned, in one process.

    python bench/micro.py

Not a target: it says how many microseconds each piece costs per webhook, so that the
throughput bench (whose rounds differ by 10-25% on a shared machine) is not asked to
see a difference smaller than its noise. Each figure is the best of 5 runs of timeit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import random
import timeit
from collections.abc import Callable
from urllib.parse import parse_qsl

from common import AUTH_TOKEN, say
from signing import call_params, form_body
from twilio.request_validator import RequestValidator

from flowengine.runtime.session import CallSession
from flowengine.server.signature import FormValues
from flowengine.server.webhook import Form, parse_form

URL = "https://ivr.example.com/voice/main"


def best_us(fn: Callable[[], object], number: int = 5000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def signature_rows(params: dict[str, str]) -> list[tuple[str, float]]:
    validator = RequestValidator(AUTH_TOKEN)
    values = FormValues({name: [value] for name, value in params.items()})
    base = hmac.new(AUTH_TOKEN.encode(), digestmod=hashlib.sha1)

    def precomputed() -> str:
        data = URL + "".join(name + values[name][0] for name in sorted(values))
        mac = base.copy()
        mac.update(data.encode())
        return base64.b64encode(mac.digest()).decode()

    if precomputed() != validator.compute_signature(URL, params):
        raise AssertionError("precomputed HMAC disagrees with twilio")
    return [
        (
            "signature: twilio RequestValidator.compute_signature",
            best_us(lambda: validator.compute_signature(URL, values)),
        ),
        ("signature: precomputed key, one HMAC copy", best_us(precomputed)),
    ]


def form_rows(body: bytes) -> list[tuple[str, float]]:
    return [
        ("form: flowengine parse_form (hand-written)", best_us(lambda: parse_form(body))),
        (
            "form: urllib parse_qsl into the same Form",
            best_us(lambda: Form(parse_qsl(body.decode(), keep_blank_values=True))),
        ),
    ]


def session_rows(params: dict[str, str]) -> list[tuple[str, float]]:
    session = CallSession(
        key=params["CallSid"],
        flow="main",
        version="abc123",
        state="welcome",
        call=params,
        path=["screen", "welcome"],
        vars={"language": "en"},
    )
    text = session.to_json()
    return [
        ("session: CallSession.to_json", best_us(session.to_json)),
        ("session: CallSession.from_json", best_us(lambda: CallSession.from_json(text))),
    ]


def logging_rows() -> list[tuple[str, float]]:
    log = logging.getLogger("flowengine.micro")
    log.propagate = False
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    saved = (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing)
    default = best_us(lambda: log.info("route=voice call=CA123 ms=1.0"), 2000)
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    private = best_us(lambda: log.info("route=voice call=CA123 ms=1.0"), 2000)
    (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing) = saved
    return [
        ("log line: logging defaults", default),
        ("log line: private logging globals off (logs.setup)", private),
    ]


def main() -> None:
    params = call_params(random.Random(1), "AC" + "0" * 32)
    params["Caller"] = params["From"]
    body = form_body(params).encode()
    rows = signature_rows(params) + form_rows(body) + session_rows(params) + logging_rows()
    for label, us in rows:
        say(f"  {label:<56}{us:8.1f} us")


if __name__ == "__main__":
    main()
