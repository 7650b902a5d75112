"""Answers to a flow's fetches for the simulator and scenarios: never the network.

An answer is written the same way everywhere (a scenario's `fetch:`, a `--fetch` file,
the terminal): `{status: 200, body: {balance: 12.5}}`, a body as text (`body: "<html>"`
makes a bad response), `{status: 503}`, or `{timeout: true}`. Answers are given per
fetch state; a list gives the answers of its successive fetches (the last one repeats).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flowengine.runtime.effects import FetchRequest, FetchResult, classify

AnswerSource = Callable[[FetchRequest], FetchResult | None]
KEYS = ("status", "body", "timeout")


class AnswerError(ValueError):
    """An answer that is written wrongly; the message says how to write it."""


def parse_answer(spec: Any) -> FetchResult:
    if not isinstance(spec, dict) or not spec or set(spec) - set(KEYS):
        raise AnswerError(
            "a fetch answer is {status: 200, body: {...}}, {status: 503} or {timeout: true}"
        )
    if spec.get("timeout"):
        return FetchResult("timeout")
    status = spec.get("status", 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise AnswerError(f"'status' is an HTTP status code such as 200 or 503, not {status!r}")
    body = spec.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = json.dumps(body).encode()
    return classify(status, raw)


class Declared:
    """Answers by fetch state, taken in order; the last one of a state repeats."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.answers: dict[str, list[FetchResult]] = {}
        for state, given in table.items():
            items = given if isinstance(given, list) else [given]
            if not items:
                raise AnswerError(f"give '{state}' at least one answer")
            self.answers[str(state)] = [parse_answer(item) for item in items]
        self.used: dict[str, int] = {}

    def __call__(self, request: FetchRequest) -> FetchResult | None:
        answers = self.answers.get(request.state)
        if not answers:
            return None
        index = self.used.get(request.state, 0)
        self.used[request.state] = index + 1
        return answers[min(index, len(answers) - 1)]


def describe(request: FetchRequest, answer: FetchResult) -> str:
    status = f" {answer.status}" if answer.status is not None else ""
    return f"(fetch {request.method} {request.url} -> {answer.outcome}{status})"


def parse_typed(line: str) -> FetchResult:
    """An answer typed in the terminal: `timeout`, `503`, or `200 {"balance": 12}`."""
    text = line.strip()
    if text.lower() == "timeout":
        return FetchResult("timeout")
    status, _, body = text.partition(" ")
    if not status.isdigit() or not 100 <= int(status) <= 599:
        raise AnswerError('type timeout, a status (503), or a status and a body: 200 {"a": 1}')
    return classify(int(status), body.strip().encode())
