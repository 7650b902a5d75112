"""Validate flow data against the published JSON Schema, with messages for people.

jsonschema speaks in JSON paths and schema keywords; a person editing a phone menu
needs "state 'menu': 'digits' must be a number, not 'one'" and the line it is on.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match, relevance

from flowengine.diagnostics import Diagnostic
from flowengine.flow import codes
from flowengine.flow.loader import Document
from flowengine.twilio import phone

_PACKAGED = Path(__file__).parent.parent / "data" / "flow.schema.json"
_SOURCE_TREE = Path(__file__).parent.parent.parent / "schemas" / "flow.schema.json"

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a set of 'key: value' lines",
    "array": "a list",
    "null": "empty",
}


@cache
def flow_schema() -> dict[str, Any]:
    path = _PACKAGED if _PACKAGED.exists() else _SOURCE_TREE
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def validator() -> Draft202012Validator:
    """Built once: building a validator costs far more than running it."""
    return Draft202012Validator(flow_schema())


@cache
def _fast_check() -> Callable[[Any], bool]:
    # jsonschema-rs answers "valid?" about a hundred times faster than jsonschema; the
    # Python validator is kept for invalid files, where its best_match ranks the errors.
    is_valid: Callable[[Any], bool] = jsonschema_rs.validator_for(flow_schema()).is_valid
    return is_valid


def validate(doc: Document) -> list[Diagnostic]:
    """One diagnostic per broken part of the file, the most useful error of each first."""
    if _fast_check()(doc.data):
        return []
    errors = list(validator().iter_errors(doc.data))
    if not errors:
        return []
    groups: dict[tuple[Any, ...], list[ValidationError]] = {}
    for error in errors:
        groups.setdefault(_group_key(error), []).append(error)
    diagnostics = []
    for group in groups.values():
        error = best_match(group, key=relevance)
        diagnostics.append(_diagnostic(doc, _deepest(error)))
    return sorted(diagnostics)


def _group_key(error: ValidationError) -> tuple[Any, ...]:
    path = tuple(error.absolute_path)
    # One problem per state (states/NAME) keeps a broken state from burying the others.
    return path[:2] if path[:1] == ("states",) else path[:1]


def _deepest(error: ValidationError) -> ValidationError:
    """Descend through oneOf/anyOf to the alternative the author most likely meant."""
    while error.context:
        closest = _closest_alternative(error)
        if not closest:
            break
        error = best_match(closest, key=relevance)
    return error


def _closest_alternative(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the alternative whose type matches the data, if exactly one does."""
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(
            sub.relative_schema_path[0] if sub.relative_schema_path else 0, []
        ).append(sub)
    typed = [
        errs
        for errs in by_branch.values()
        if not any(e.validator in ("type", "const") and not e.relative_path for e in errs)
    ]
    if len(typed) == 1:
        return typed[0]
    return None


def _where(path: Iterable[Any]) -> str:
    parts = list(path)
    if parts[:1] == ["states"] and len(parts) >= 2:
        prefix = f"state '{parts[1]}'"
        rest = parts[2:]
    else:
        prefix, rest = "", parts
    field = ".".join(str(p) for p in rest if not isinstance(p, int))
    index = [p for p in rest if isinstance(p, int)]
    if index:
        field += f" (item {index[-1] + 1})"
    if prefix and field:
        return f"{prefix}: '{field}'"
    if prefix:
        return prefix
    return f"'{field}'" if field else "the flow"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return str(value)


def _diagnostic(doc: Document, error: ValidationError) -> Diagnostic:
    path = tuple(error.absolute_path)
    where = _where(path)
    kind = error.validator
    schema: dict[str, Any] = dict(error.schema) if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    expected: Any = error.validator_value
    hint = ""
    key_position = False
    if _is_number(instance) and _phone_place(error):
        message, hint = phone.unquoted_message(where, instance)
    elif kind == "type":
        wanted = expected
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        wanted_text = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        message = f"{where} must be {wanted_text}, not {_show(instance)}"
        if "string" in names and not isinstance(instance, (dict, list)):
            hint = "put the value in quotes"
    elif kind == "additionalProperties":
        known = sorted((schema.get("properties") or {}).keys())
        extra = [k for k in instance if k not in known and not k.startswith("x-")]
        unknown = extra[0] if extra else "?"
        path = (*path, unknown)
        key_position = True
        message = f"{where} has an unknown key '{unknown}'"
        close = difflib.get_close_matches(unknown, known, n=1)
        meant = _MEANT.get(unknown)
        hint = (
            f"did you mean '{meant}'?"
            if meant in known
            else f"did you mean '{close[0]}'?"
            if close
            else f"the keys allowed here are: {', '.join(known)}"
        )
        dedented = _dedented_state_key(doc, path)
        if dedented:
            message, hint = dedented
            path = path[:2]  # point at the dedented key itself
    elif kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(expected)
        message = f"{where} needs '{missing}'"
        hint = _describe(schema.get("properties", {}).get(missing, {}))
    elif kind in ("enum", "const"):
        allowed = expected if kind == "enum" else [expected]
        choices = ", ".join(_show(a) for a in allowed)
        message = f"{where} cannot be {_show(instance)}; write one of: {choices}"
    elif kind == "pattern":
        message = f"{where}: {_show(instance)} is not written the right way"
        hint = _describe(schema) or f"it must match {expected}"
    elif kind == "propertyNames":
        message = f"{where}: the name {_show(instance)} is not allowed here"
        hint = "names use letters, digits, '_' and '-' only"
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "at least" if "inimum" in kind else "at most"
        message = f"{where} must be {bound} {expected}, not {_show(instance)}"
    elif kind in ("minItems", "minProperties"):
        message = f"{where} must not be empty"
    elif kind in ("maxItems", "maxProperties", "maxLength"):
        limit = kind.replace("max", "at most ").lower()
        message = f"{where} is too long ({limit} {expected})"
    elif (
        kind == "oneOf" and error.context and all(e.validator == "required" for e in error.context)
    ):
        options = [str(_first(e.validator_value)) for e in error.context]
        message = f"{where} needs one of: {', '.join(options)}"
        hint = _describe(schema)
    elif kind == "oneOf":
        message = f"{where}: {_show(instance)} is not a valid value here"
        hint = _describe(schema)
    else:
        message = f"{where}: {error.message}"
    line, column = doc.position(path, key=key_position)
    return Diagnostic(doc.path, line, column, *codes.SCHEMA, message, hint=hint)


# Words people write for a key by another name; difflib alone would pick the nearest
# spelling (`prompt` -> `prompts`), not the key they meant.
_MEANT = {
    "prompt": "say",
    "speak": "say",
    "message": "say",
    "text": "say",
    "goto": "next",
    "go": "next",
    "then": "next",
    "transfer": "dial",
    "call": "dial",
    "options": "on",
    "choices": "on",
    "menu": "gather",
    "input": "gather",
    "voicemail": "record",
    "hang_up": "hangup",
    "end": "hangup",
}


def _dedented_state_key(doc: Document, path: tuple[Any, ...]) -> tuple[str, str] | None:
    """`on:` (or another state key) written at the indentation of the state names."""
    if len(path) != 3 or path[0] != "states" or not isinstance(doc.data, dict):
        return None
    name = path[1]
    state_keys = flow_schema()["$defs"]["state"]["properties"]
    if name not in state_keys:
        return None
    states = doc.data.get("states") or {}
    names = list(states)
    index = names.index(name) if name in names else 0
    if index == 0:
        return None
    owner = names[index - 1]
    return (
        f"'{name}:' is written where states are named, so it reads as a state called '{name}'",
        f"it belongs inside the state '{owner}' above it: indent '{name}:' like the other "
        f"keys of '{owner}'",
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _phone_place(error: ValidationError) -> bool:
    """Whether a phone number goes where `error` is (the schema marks those with x-phone)."""
    here = tuple(error.absolute_path)
    node: Any = error
    while node is not None and tuple(node.absolute_path) == here:
        schema = node.schema if isinstance(node.schema, dict) else {}
        branches = [schema, *(schema.get("oneOf") or [])]
        if any(isinstance(b, dict) and b.get("x-phone") for b in branches):
            return True
        node = node.parent
    return False


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _describe(schema: dict[str, Any]) -> str:
    text = str(schema.get("description", ""))
    examples = schema.get("examples")
    if examples:
        text += f" Example: {json.dumps(examples[0], ensure_ascii=False)}"
    return text.strip()
