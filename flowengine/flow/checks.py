"""Whole-flow checks run by the compiler: targets, variables, loops that never wait."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from flowengine.diagnostics import Severity
from flowengine.flow import codes
from flowengine.flow.context import CompileContext
from flowengine.flow.fetch import saved_names
from flowengine.flow.graph import State, successors
from flowengine.flow.hours_speech import FIELDS as HOURS_FIELDS
from flowengine.flow.loader import KeyPath
from flowengine.flow.templates import ROOTS
from flowengine.runtime.variables import CALL_NAMES


def unknown_target(compiler: CompileContext, name: str, path: KeyPath) -> None:
    close = difflib.get_close_matches(name, sorted(compiler.state_names), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "add the state, or fix the name"
    if close and not _mentioned(compiler.data, close[0]):
        # Nothing goes to the close match: its *definition* is the likely misspelling, and
        # suggesting it would spread the typo.
        hint = (
            f"nothing goes to the state '{close[0]}': if that name is misspelt, rename the "
            f"state to '{name}'"
        )
    compiler.error(path, *codes.UNKNOWN_STATE, f"there is no state called '{name}'", hint=hint)


def _mentioned(data: Any, name: str) -> bool:
    """Whether `name` is written as a value anywhere in the flow (a target, the start)."""
    if isinstance(data, dict):
        return any(_mentioned(value, name) for value in data.values())
    if isinstance(data, list):
        return any(_mentioned(item, name) for item in data)
    return bool(data == name)


def condition_vars(spec: dict[str, Any], path: KeyPath) -> Iterator[tuple[str, KeyPath]]:
    if "var" in spec:
        yield spec["var"], (*path, "var")
    for key in ("all", "any"):
        for index, sub in enumerate(spec.get(key, [])):
            yield from condition_vars(sub, (*path, key, index))
    if "not" in spec:
        yield from condition_vars(spec["not"], (*path, "not"))


def set_names(node: Any) -> set[str]:
    """Every name that a `set` anywhere in the flow writes."""
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "set" and isinstance(value, dict):
                names.update(value)
            names |= set_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= set_names(item)
    return names


def variables(compiler: CompileContext, settings: dict[str, Any]) -> None:
    written = set_names(compiler.data.get("states")) | {"language"}
    written |= saved_names(compiler.data.get("states"))
    uses = [(var, path) for template, path in compiler.templates for var in template.variables]
    for var, path in [*uses, *compiler.condition_vars]:
        root, _, rest = var.partition(".")
        field = rest.split(".")[0]
        if root not in ROOTS:
            close = difflib.get_close_matches(root, [*ROOTS, *CALL_NAMES], n=1)
            if close:
                guess = close[0] if close[0] in ROOTS else f"call.{close[0]}"
                hint = f"did you mean '{guess}'?"
            else:
                hint = "variables start with call., vars. or settings."
            compiler.error(path, *codes.UNKNOWN_VARIABLE, f"unknown variable '{var}'", hint=hint)
        elif root == "call" and field and field not in CALL_NAMES:
            close = difflib.get_close_matches(field, sorted(CALL_NAMES), n=1)
            compiler.error(
                path,
                *codes.UNKNOWN_VARIABLE,
                f"Twilio sends no 'call.{field}'",
                hint=f"did you mean 'call.{close[0]}'?" if close else "",
            )
        elif root == "hours" and not _hours_field(compiler, rest):
            names = ", ".join(sorted(compiler.data.get("hours") or {})) or "none are defined"
            compiler.error(
                path,
                *codes.UNKNOWN_VARIABLE,
                f"unknown variable '{var}'",
                hint=f"write hours.NAME.weekly, hours.NAME.next_open or hours.NAME.open, "
                f"where NAME is one of the flow's opening hours ({names})",
            )
        elif root == "settings" and field and field not in settings:
            compiler.error(
                path,
                *codes.UNKNOWN_SETTING,
                f"there is no setting called '{field}'",
                hint="add it under 'settings' at the top of the flow",
            )
        elif root == "vars" and field and field not in written:
            compiler.report(
                path,
                *codes.UNKNOWN_VARIABLE,
                f"'vars.{field}' is never set in this flow, so it is empty unless another "
                "flow set it before handing the call over",
                Severity.WARNING,
            )


def waitless_cycles(compiler: CompileContext, states: dict[str, State]) -> None:
    """A loop of states that never waits for the caller would make Twilio loop forever."""
    passing = {
        name
        for name, s in states.items()
        if not s.waits
        and (s.action in ("", "switch", "split", "fetch") or (s.action == "redirect" and s.next))
    }
    colour: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def report(loop: list[str], back_to: str) -> None:
        if frozenset(loop) in reported:
            return
        reported.add(frozenset(loop))
        compiler.error(
            ("states", loop[0]),
            *codes.LOOP_WITHOUT_WAIT,
            f"the states {' -> '.join([*loop, back_to])} go round without ever waiting for "
            "the caller",
            hint="make one of them wait (gather, dial, record) or end the call",
            key=True,
        )

    # Depth-first with an explicit stack: a flow of thousands of states in a row must not
    # hit Python's recursion limit.
    for root in sorted(passing):
        if root in colour:
            continue
        colour[root] = 1
        trail = [root]
        stack = [iter(successors(states[root]))]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                stack.pop()
                colour[trail.pop()] = 2
            elif target.state not in passing:
                continue
            elif colour.get(target.state) == 1:
                report(trail[trail.index(target.state) :], target.state)
            elif target.state not in colour:
                colour[target.state] = 1
                trail.append(target.state)
                stack.append(iter(successors(states[target.state])))


def _hours_field(compiler: CompileContext, rest: str) -> bool:
    name, _, field = rest.partition(".")
    return name in (compiler.data.get("hours") or {}) and field in HOURS_FIELDS
