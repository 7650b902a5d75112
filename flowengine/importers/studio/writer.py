"""The imported flow as YAML that reads like a hand-written flow, with notes as comments."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from flowengine.importers.studio.context import Goto, ImportContext

SCHEMA = Path("schemas") / "flow.schema.json"


def resolve(value: Any, ctx: ImportContext) -> Any:
    """Replace every Goto by the state it leads to, with the values it captures on the way."""
    if isinstance(value, Goto):
        if value.widget == value.origin and value.origin in ctx.ends_itself:
            value = Goto(None, value.origin)
        name = ctx.names[value.widget] if value.widget else ctx.end_state()
        captures = ctx.captures.get(value.origin)
        return {"next": name, "set": dict(captures)} if captures else name
    if isinstance(value, dict):
        if "switch" in value:
            value = {**value, "switch": [_case(case, ctx) for case in value["switch"]]}
        return {k: resolve(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ctx) for v in value]
    return value


def _case(case: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    target = resolve(case.get("next"), ctx)
    case = {k: v for k, v in case.items() if k != "next"}
    if isinstance(target, dict):
        return {**case, "next": target["next"], "set": target["set"]}
    return {**case, "next": target}


class _Dumper(yaml.SafeDumper):
    """Text of several lines as a block (|), the way a person writes it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = (
        "|" if "\n" in value and all(line == line.rstrip() for line in value.split("\n")) else None
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(value: Any, indent: int) -> str:
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    # PyYAML writes YAML 1.1 and quotes the key `on`; flowengine reads YAML 1.2, where it is a word.
    text = re.sub(r"^(\s*)'on':", r"\1on:", text, flags=re.M)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def comment(lines: list[str], indent: int) -> str:
    pad = " " * indent
    return "".join(f"{pad}# {line}".rstrip() + "\n" for line in lines)


def write(
    ctx: ImportContext,
    header: dict[str, Any],
    states: list[tuple[str, dict[str, Any]]],
    intro: list[str],
) -> str:
    body = resolve_all(states, ctx)  # first: it may add settings-free extra states
    out = [comment(intro, 0), dump(header, 0)]
    if ctx.settings:
        out.append("\n# Account-bound values: set these in each environment (see the report).\n")
        out.append(dump({"settings": ctx.settings}, 0))
    out.append("\nstates:\n")
    for name, spec in body:
        out.append("\n")
        out.append(comment(ctx.comments.get(name, []), 2))
        out.append(dump({name: spec}, 2))
    return "".join(out)


def schema_line(output: Path) -> str:
    """The editor's schema line for a flow written at `output`: the project's schemas/ (as
    `flowengine init` lays it out, next to the flows folder), or nothing when there is none."""
    folder = output.parent.resolve()
    chain = [folder, *folder.parents]
    flows = next((i for i, d in enumerate(chain) if d.name == "flows"), 0)
    for candidate in chain[: flows + 2]:
        if (candidate / SCHEMA).is_file():
            relative = Path(os.path.relpath(candidate / SCHEMA, folder)).as_posix()
            return f"# yaml-language-server: $schema={relative}\n"
    return ""


def resolve_all(
    states: list[tuple[str, dict[str, Any]]], ctx: ImportContext
) -> list[tuple[str, dict[str, Any]]]:
    """Every state resolved, then the states resolving added (the end of the call, ...)."""
    done = [(name, resolve(spec, ctx)) for name, spec in states]
    written = {name for name, _ in done}
    while any(name not in written for name in ctx.extra):
        for name, spec in list(ctx.extra.items()):
            if name not in written:
                done.append((name, resolve(spec, ctx)))
                written.add(name)
    return done


def widget_at(text: str, line: int) -> str:
    """The Studio widget a line of the written flow came from, from the comment above its
    state ('the flow' for the lines before the first state)."""
    for above in reversed(text.splitlines()[:line]):
        if above.strip().startswith("# Studio: "):
            return "widget " + _quoted(above.strip().removeprefix("# Studio: "))
        if above.strip().startswith("# Added by the import"):
            return "a state the import added"
    return "the flow"


def _quoted(widget: str) -> str:
    name, _, kind = widget.rpartition(" (")
    return f"'{name}' ({kind}" if name else f"'{widget}'"
