"""The one place that renders template text: Liquid, which cannot run code.

A text without Liquid markup compiles to itself, so constant prompts cost nothing at
run time. Markup texts (SSML) are rendered with autoescape, so a value a caller typed
or said can never become a tag; plain texts are escaped by the TwiML writer instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from liquid import Environment
from liquid.exceptions import LiquidError

Context = Mapping[str, Any]

# A Liquid output or tag, for code that must look at a text around its templates.
LIQUID_MARKUP = re.compile(r"{{.*?}}|{%.*?%}", re.S)
Renderer = Callable[[Context], str]

# Twilio refuses a TwiML answer over 64 kB (error 11750): no one template may write more,
# and a loop whose bound a caller typed (`{% for i in (1..call.digits) %}`) stops long
# before it could hold the event loop (python-liquid raises LiquidError subclasses, which
# the server answers with its fallback).
MAX_LOOP_ITERATIONS = 10_000
MAX_OUTPUT_CHARS = 64 * 1024


class _Bounded(Environment):
    loop_iteration_limit = MAX_LOOP_ITERATIONS
    output_stream_limit = MAX_OUTPUT_CHARS


_PLAIN = _Bounded()
_MARKUP = _Bounded(autoescape=True)

# Names a template may read at the top level, and the fields of `call` (see CALL_FIELDS).
ROOTS = ("call", "vars", "settings", "language", "hours")


class TemplateSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Template:
    """Compiled template text; `constant` is set when there is nothing to render."""

    source: str
    constant: str | None
    render: Renderer
    variables: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()


def has_markup(text: str) -> bool:
    return "{{" in text or "{%" in text


def compile_template(source: str, *, markup: bool = False) -> Template:
    if not has_markup(source):

        def constant(_context: Context) -> str:
            return source

        return Template(source, source, constant)
    env = _MARKUP if markup else _PLAIN
    try:
        template = env.from_string(source)
        variables = tuple(template.global_variable_paths())
        filters = tuple(template.filter_names())
    except LiquidError as exc:
        token = getattr(exc, "token", None)
        offset = getattr(token, "start_index", 0) or 0
        raise TemplateSyntaxError(str(getattr(exc, "message", exc)), offset) from None
    unknown = [f for f in filters if f not in env.filters]
    if unknown:
        offset = source.find(unknown[0])
        raise TemplateSyntaxError(f"unknown filter '{unknown[0]}'", max(offset, 0))

    def render(ctx: Context) -> str:
        return template.render(**ctx)

    return Template(source, None, render, variables, filters)
