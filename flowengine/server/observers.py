"""Who watches the webhooks: the call history and the metrics, told at one point each.

The handlers call `step` where a step's result is known and `status` when Twilio says a
call is over; the webhook frame calls `answered` or `fell_back` with the time it took.
Observers only record values; they never raise into a webhook or make it wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from flowengine.runtime.effects import FetchResult
from flowengine.runtime.interpreter import StepResult

log = logging.getLogger("flowengine.server")

Fields = Mapping[str, object]


class Observer(Protocol):
    def step(self, key: str, fields: Fields, params: Mapping[str, str], result: StepResult) -> None:
        """A webhook of a call or text conversation ran a step of its flow."""

    def status(self, fields: Fields, params: Mapping[str, str]) -> None:
        """Twilio's status callback: the call is over."""

    def transcription(self, params: Mapping[str, str]) -> None:
        """Twilio posted a recording's transcription."""

    def answered(self, route: str, fields: Fields, seconds: float) -> None:
        """The webhook was answered by its flow."""

    def fell_back(
        self, route: str, fields: Fields, params: Mapping[str, str], cause: str, seconds: float
    ) -> None:
        """The webhook got the fallback document."""

    def fetched(
        self, call: str, flow: str, state: str, result: FetchResult, seconds: float
    ) -> None:
        """A flow's fetch to a business backend was performed."""


class Observers:
    """The observers in one list; a failing observer is logged, never felt by the call."""

    def __init__(self, *observers: Observer) -> None:
        self.all = list(observers)

    def _tell(self, what: str, tell: Callable[[Observer], None]) -> None:
        for observer in self.all:
            try:
                tell(observer)
            except Exception:
                log.exception("observer %s failed on %s", type(observer).__name__, what)

    def step(self, key: str, fields: Fields, params: Mapping[str, str], result: StepResult) -> None:
        self._tell("a step", lambda o: o.step(key, fields, params, result))

    def status(self, fields: Fields, params: Mapping[str, str]) -> None:
        self._tell("a status", lambda o: o.status(fields, params))

    def transcription(self, params: Mapping[str, str]) -> None:
        self._tell("a transcription", lambda o: o.transcription(params))

    def answered(self, route: str, fields: Fields, seconds: float) -> None:
        self._tell("a webhook", lambda o: o.answered(route, fields, seconds))

    def fell_back(
        self, route: str, fields: Fields, params: Mapping[str, str], cause: str, seconds: float
    ) -> None:
        self._tell("a fallback", lambda o: o.fell_back(route, fields, params, cause, seconds))

    def fetched(
        self, call: str, flow: str, state: str, result: FetchResult, seconds: float
    ) -> None:
        self._tell("a fetch", lambda o: o.fetched(call, flow, state, result, seconds))
