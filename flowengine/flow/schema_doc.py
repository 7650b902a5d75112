"""Write the flow-language reference (docs/schema-reference.md) from the published schema.

Generated, so that the reference can never drift from what the validator accepts:
`python -m flowengine.flow.schema_doc > docs/schema-reference.md` (a test checks it is current).
"""

from __future__ import annotations

import json
from typing import Any

from flowengine.flow.schema import flow_schema

SECTIONS = (
    ("The flow file", None),
    ("A state", "state"),
    ("say", "say"),
    ("play", "play"),
    ("gather", "gather"),
    ("dial", "dial"),
    ("record", "record"),
    ("enqueue", "enqueue"),
    ("call_back", "callBack"),
    ("fetch", "fetch"),
    ("redirect", "redirect"),
    ("sms (a text sent during a call)", "sms"),
    ("retry", "retry"),
    ("Conditions (in a switch)", "condition"),
    ("A switch branch", "switchCase"),
    ("Targets (where the call goes next)", "target"),
    ("Opening hours", "hours"),
)


def _kind(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return f"see *{node['$ref'].rsplit('/', 1)[-1]}*"
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in node["enum"])
    if "oneOf" in node:
        return " or ".join(_kind(option) for option in node["oneOf"])
    kind = node.get("type", "")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(node: dict[str, Any]) -> list[str]:
    properties = node.get("properties", {})
    if not properties:
        return []
    required = set(node.get("required", []))
    lines = ["| key | value | what it means |", "| --- | --- | --- |"]
    for name, prop in properties.items():
        description = prop.get("description", "")
        if not description and "$ref" in prop:
            description = _definition(prop["$ref"]).get("description", "")
        if "default" in prop:
            description += f" Default: `{json.dumps(prop['default'], ensure_ascii=False)}`."
        if "examples" in prop:
            description += f" Example: `{json.dumps(prop['examples'][0], ensure_ascii=False)}`."
        key = f"`{name}`" + (" (required)" if name in required else "")
        lines.append(f"| {key} | {_cell(_kind(prop))} | {_cell(description)} |")
    return lines


def _definition(ref: str) -> dict[str, Any]:
    definition: dict[str, Any] = flow_schema()["$defs"][ref.rsplit("/", 1)[-1]]
    return definition


def reference() -> str:
    schema = flow_schema()
    out = [
        "# Flow language reference",
        "",
        "Generated from `schemas/flow.schema.json` by `python -m flowengine.flow.schema_doc`;",
        "do not edit by hand. For a guided tour, read [the flow language guide](flow-language.md).",
    ]
    for title, ref in SECTIONS:
        node = schema if ref is None else schema["$defs"][ref]
        out += ["", f"## {title}", "", str(node.get("description", ""))]
        for option in node.get("oneOf", []):
            if option.get("properties"):
                out += ["", *_table(option)]
            elif "description" in option:
                out += ["", f"- {_kind(option)}: {option['description']}"]
        table = _table(node)
        if table:
            out += ["", *table]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
