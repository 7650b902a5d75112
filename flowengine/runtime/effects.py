"""Effects as data: what a step asks the outside world to do, and what came back.

`step` never performs a fetch. It stops at the fetch state and returns a `FetchRequest`
(URL, headers and body already rendered); the front end sends it its own way (the server
with httpx, the simulator and scenarios from declared answers), turns what came back into a
`FetchResult` with `classify`, and steps again with `Event("fetch", ..., result=...)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flowengine.flow import twiml
from flowengine.flow.graph import Fetch
from flowengine.flow.templates import Template

MAX_BODY = 64 * 1024  # a larger answer is a bad response: the session must stay small
CALL_HEADER = "X-Twilio-CallSid"
USER_AGENT = "flowengine"


@dataclass(frozen=True)
class FetchRequest:
    state: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    json: Any | None
    form: tuple[tuple[str, str], ...] | None
    timeout: float
    retry: int
    filler: str  # TwiML to answer with when the backend is slow ("" when the flow has none)


@dataclass(frozen=True)
class FetchResult:
    outcome: str  # ok, error, timeout, bad-response
    status: int | None = None
    data: Any = None


def classify(status: int | None, body: bytes | None) -> FetchResult:
    """What a fetch's answer means for the flow; `status` None is a timeout or network error."""
    if status is None or body is None:
        return FetchResult("timeout")
    if len(body) > MAX_BODY:
        return FetchResult("bad-response", status)
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, UnicodeDecodeError):
        return FetchResult("bad-response" if 200 <= status < 300 else "error", status)
    if not 200 <= status < 300:
        return FetchResult("error", status, data)
    if data is None:
        return FetchResult("bad-response", status)
    return FetchResult("ok", status, data)


def _encoded(value: Any) -> Any:
    """Caller-given values as they may stand in a URL: nothing they hold can add a path,
    a query parameter or a fragment."""
    if isinstance(value, Mapping):
        return {key: _encoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return quote(str(value), safe="")


def _json(value: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(value, Template):
        return value.render(context)
    if isinstance(value, tuple):
        return {key: _json(item, context) for key, item in value}
    if isinstance(value, list):
        return [_json(item, context) for item in value]
    return value


def request(fetch: Fetch, state: str, context: Mapping[str, Any], language: str) -> FetchRequest:
    url_context = dict(context)
    for root in ("call", "vars"):  # settings are the author's: base URLs stay as written
        url_context[root] = _encoded(context.get(root, {}))
    headers = [(name, value.render(context)) for name, value in fetch.headers]
    call_sid = str(context.get("call", {}).get("sid", ""))
    headers += [(CALL_HEADER, call_sid), ("User-Agent", USER_AGENT)]
    filler = ""
    if fetch.filler:
        said = twiml.render(fetch.filler[language], context)
        filler = said + f'<Redirect method="POST">{twiml.text(fetch.callback)}</Redirect>'
    form = None
    if fetch.form is not None:
        form = tuple((name, value.render(context)) for name, value in fetch.form)
    return FetchRequest(
        state=state,
        method=fetch.method,
        url=fetch.url.render(url_context).strip(),
        headers=tuple(headers),
        json=_json(fetch.body, context) if fetch.body is not None else None,
        form=form,
        timeout=fetch.timeout,
        retry=fetch.retry,
        filler=filler,
    )


def store(
    session_vars: dict[str, Any], call: dict[str, str], fetch: Fetch, result: FetchResult
) -> None:
    """Keep the answer where templates and conditions read it."""
    call["fetch_status"] = "" if result.status is None else str(result.status)
    call["fetch_outcome"] = result.outcome
    session_vars[fetch.save] = result.data


def join(first: str, second: str) -> str:
    """Two step answers as one TwiML document: the prompts before the fetch, then the rest."""
    return first.removesuffix(twiml.CLOSE) + second.removeprefix(twiml.OPEN)


def with_filler(first: str, fetch: FetchRequest) -> str:
    """The answer while the backend is still thinking: the prompts so far, the filler, and
    a Redirect that comes back for the result."""
    return first.removesuffix(twiml.CLOSE) + fetch.filler + twiml.CLOSE
