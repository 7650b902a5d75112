"""split-based-on: Studio's conditions as flowengine switch conditions (or gather options)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flowengine.importers.studio.context import CHECK, MISSING, SAME, Goto, ImportContext
from flowengine.importers.studio.definition import Transition, Widget

VARIABLE = re.compile(r"^{{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*}}$")
KEYS = re.compile(r"^[0-9*#]+$")
NEGATIONS = {
    "not_equal_to": "equal_to",
    "does_not_match_any_of": "matches_any_of",
    "does_not_contain": "contains",
    "does_not_start_with": "starts_with",
}
TEXT_TESTS = {
    "equal_to": "equals",
    "regex": "matches",
    "contains": "contains",
    "starts_with": "starts_with",
}


def split_based_on(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    var = subject(widget, ctx, spec)
    cases: list[dict[str, Any]] = []
    for transition in widget.transitions:
        if transition.event != "match":
            continue
        conditions = [condition(c, var, widget, ctx) for c in transition.conditions]
        if not conditions:
            continue
        when = conditions[0] if len(conditions) == 1 else {"all": conditions}
        cases.append({"when": when, "next": Goto(transition.next, widget.name)})
    cases.append({"next": ctx.goto(widget, "noMatch")})
    spec["switch"] = cases
    ctx.note(widget, SAME, f"chooses by the same {len(cases) - 1} condition(s)")
    return spec


def subject(widget: Widget, ctx: ImportContext, spec: dict[str, Any]) -> str:
    """The variable the conditions test: the input itself, or a copy of a computed input."""
    raw = widget.prop("input")
    if raw is None:
        first = next((t.conditions for t in widget.transitions if t.conditions), ())
        raw = (first[0].get("arguments") or [""])[0] if first else ""
    text = ctx.rewrite(raw, widget)
    found = VARIABLE.match(text.strip())
    if found:
        return found.group(1)
    name = f"{ctx.var(widget)}_input"
    spec["set"] = {name: text}
    return f"vars.{name}"


def condition(spec: dict[str, Any], var: str, widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    kind = str(spec.get("type", ""))
    if kind in NEGATIONS:
        return {"not": condition({**spec, "type": NEGATIONS[kind]}, var, widget, ctx)}
    value = spec.get("value")
    label = spec.get("friendly_name") or f"{kind} {value}"
    if kind == "is_blank":
        return {"var": var, "empty": True}
    if kind == "is_not_blank":
        return {"var": var, "empty": False}
    text = "" if value is None else str(value)
    if "{{" in text:
        ctx.note(
            widget,
            MISSING,
            f"condition '{label}' compares with a template ({text}); flowengine compares "
            "with fixed values, so this condition never holds: rewrite it",
        )
        return {"var": var, "equals": text}
    if kind in TEXT_TESTS:
        return {"var": var, TEXT_TESTS[kind]: text}
    if kind == "matches_any_of":
        return {"var": var, "one_of": [v.strip() for v in text.split(",")]}
    if kind in ("less_than", "greater_than"):
        try:
            number: float = float(text)
        except ValueError:
            ctx.note(widget, MISSING, f"condition '{label}' compares with '{text}', not a number")
            return {"var": var, "equals": text}
        return {"var": var, kind: int(number) if number.is_integer() else number}
    if kind in ("is_before_time", "is_after_time"):
        moment = _time(text)
        key = "before_time" if kind == "is_before_time" else "after_time"
    elif kind in ("is_before_date", "is_after_date"):
        moment = _date(text)
        key = "before_date" if kind == "is_before_date" else "after_date"
    else:
        ctx.note(
            widget, MISSING, f"condition '{label}' is of a type flowengine does not know ({kind})"
        )
        return {"var": var, "equals": text}
    if moment is None:
        ctx.note(
            widget, MISSING, f"condition '{label}': '{text}' is not a time or date we can read"
        )
        return {"var": var, "equals": text}
    ctx.note(widget, CHECK, f"condition '{label}' compares the time or date in {var}, as written")
    return {"var": var, key: moment}


def _time(text: str) -> str | None:
    for pattern in ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p"):
        try:
            return datetime.strptime(text.strip().upper(), pattern).strftime("%H:%M")
        except ValueError:
            continue
    return None


def _date(text: str) -> str | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.strip(), pattern).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def fold_keys(
    gather: Widget, keys: str | None, speech: str | None, ctx: ImportContext
) -> dict[str, Any] | None:
    """A split right after a gather that only compares its keys becomes the gather's options."""
    split = ctx.widgets.get(keys or "")
    if split is None or split.type != "split-based-on" or speech not in (None, keys):
        return None
    entering = [w for w in ctx.widgets.values() for t in w.transitions if t.next == split.name]
    if entering != [gather] and not all(w is gather for w in entering):
        return None
    raw = str(split.prop("input", ""))
    if re.sub(r"\s", "", raw) != f"{{{{widgets.{gather.name}.Digits}}}}":
        return None
    options: dict[str, Any] = {}
    for transition in split.transitions:
        if transition.event != "match":
            continue
        pressed = _pressed(transition)
        if pressed is None:
            return None
        for key in pressed:
            options.setdefault(key, Goto(transition.next, gather.name))
    options["no-match"] = Goto(split.goes("noMatch"), gather.name)
    ctx.folded[split.name] = gather.name
    ctx.note(split, SAME, f"its choices are the options of '{ctx.names[gather.name]}'")
    return options


def _pressed(transition: Transition) -> list[str] | None:
    if len(transition.conditions) != 1:
        return None
    cond = transition.conditions[0]
    values = str(cond.get("value", ""))
    if cond.get("type") == "equal_to":
        keys = [values.strip()]
    elif cond.get("type") == "matches_any_of":
        keys = [v.strip() for v in values.split(",")]
    else:
        return None
    return keys if all(KEYS.match(k) for k in keys) else None
