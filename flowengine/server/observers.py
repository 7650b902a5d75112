"""Who watches the webhooks: the call history and the metrics, told at one point each.

The handlers call `step` where a step's result is known and `status` when Twilio says a
call is over; the webhook frame calls `answered` or `fell_back` with the time it took.
Observers only record values; they never raise into a webhook or make it wait.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

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


class Observers:
    """The observers in one list; a failing observer is logged, never felt by the call."""

    def __init__(self, *observers: Observer) -> None:
        self.all = list(observers)

    def step(self, key: str, fields: Fields, params: Mapping[str, str], result: StepResult) -> None:
        for observer in self.all:
            try:
                observer.step(key, fields, params, result)
            except Exception:
                log.exception("observer %s failed on a step", type(observer).__name__)

    def status(self, fields: Fields, params: Mapping[str, str]) -> None:
        for observer in self.all:
            try:
                observer.status(fields, params)
            except Exception:
                log.exception("observer %s failed on a status", type(observer).__name__)

    def transcription(self, params: Mapping[str, str]) -> None:
        for observer in self.all:
            try:
                observer.transcription(params)
            except Exception:
                log.exception("observer %s failed on a transcription", type(observer).__name__)

    def answered(self, route: str, fields: Fields, seconds: float) -> None:
        for observer in self.all:
            try:
                observer.answered(route, fields, seconds)
            except Exception:
                log.exception("observer %s failed on a webhook", type(observer).__name__)

    def fell_back(
        self, route: str, fields: Fields, params: Mapping[str, str], cause: str, seconds: float
    ) -> None:
        for observer in self.all:
            try:
                observer.fell_back(route, fields, params, cause, seconds)
            except Exception:
                log.exception("observer %s failed on a fallback", type(observer).__name__)
