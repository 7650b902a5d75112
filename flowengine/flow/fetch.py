"""`fetch`: a state that asks the business's own system for JSON in the middle of a call.

The compiler turns the YAML into a `Fetch` with precompiled templates. The request is
sent by whoever runs the flow (the server with httpx, the simulator and the scenario
runner from declared answers); the runtime only describes it (see runtime/effects.py).
"""

from __future__ import annotations

from typing import Any

from flowengine.flow import codes, prompts, twiml
from flowengine.flow.context import CompileContext
from flowengine.flow.graph import Fetch
from flowengine.flow.loader import KeyPath
from flowengine.flow.templates import Template

DEFAULT_TIMEOUT = 3.0
# Twilio waits 15 s for an answer (error 11205). The tries of one fetch must leave room for
# the rest of the turn: reading the session, the flow's own work, the network to Twilio.
MAX_FETCH_SECONDS = 12.0


def compile_fetch(
    compiler: CompileContext, state: str, spec: dict[str, Any], path: KeyPath
) -> Fetch:
    method = str(spec.get("method", "GET")).upper()
    timeout = float(spec.get("timeout", DEFAULT_TIMEOUT))
    retry = int(spec.get("retry", 0))
    if timeout * (1 + retry) > MAX_FETCH_SECONDS:
        tries = "one try" if not retry else "two tries"
        compiler.error(
            (*path, "timeout"),
            *codes.FETCH_TOO_SLOW,
            f"a timeout of {timeout:g} s with {tries} can take {timeout * (1 + retry):g} s; "
            f"Twilio hangs up on an answer that takes 15 s",
            hint=f"keep timeout x tries at {MAX_FETCH_SECONDS:g} s or less "
            f"(at most {MAX_FETCH_SECONDS / (1 + retry):g} s here)",
        )
    for key in ("body", "form"):
        if key in spec and method == "GET":
            compiler.error(
                (*path, key),
                *codes.MISPLACED_KEY,
                f"a GET fetch sends no '{key}'",
                hint="add 'method: POST', or put the values in the url",
                key=True,
            )
    if "body" in spec and "form" in spec:
        compiler.error(
            (*path, "form"),
            *codes.MISPLACED_KEY,
            "a fetch sends either a JSON 'body' or a 'form', not both",
            key=True,
        )
    filler: dict[str, twiml.Fragment] = {}
    if "filler" in spec:
        filler = prompts.say(compiler, spec["filler"], (*path, "filler"))
    return Fetch(
        method=method,
        url=compiler.template(str(spec["url"]), (*path, "url")),
        headers=_templates(compiler, spec.get("headers"), (*path, "headers")),
        body=_json(compiler, spec["body"], (*path, "body")) if "body" in spec else None,
        form=_templates(compiler, spec["form"], (*path, "form")) if "form" in spec else None,
        timeout=timeout,
        retry=retry,
        save=str(spec.get("save", state)),
        filler=filler,
        callback=compiler.callback(state, "fetch"),
        sensitive=bool(spec.get("sensitive", False)),
    )


def _templates(
    compiler: CompileContext, values: dict[str, Any] | None, path: KeyPath
) -> tuple[tuple[str, Template], ...]:
    return tuple(
        (str(name), compiler.template(str(value), (*path, name)))
        for name, value in (values or {}).items()
    )


def _json(compiler: CompileContext, value: Any, path: KeyPath) -> Any:
    """A JSON body: its texts become templates, numbers and booleans stay as written."""
    if isinstance(value, dict):
        return tuple((str(k), _json(compiler, v, (*path, k))) for k, v in value.items())
    if isinstance(value, list):
        return [_json(compiler, v, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str):
        return compiler.template(value, path)
    return value


def saved_names(node: Any) -> set[str]:
    """Every name a fetch anywhere in the flow saves its answer under (vars.NAME)."""
    names: set[str] = set()
    states = node if isinstance(node, dict) else {}
    for name, spec in states.items():
        if isinstance(spec, dict) and isinstance(spec.get("fetch"), dict):
            names.add(str(spec["fetch"].get("save", name)))
    return names
