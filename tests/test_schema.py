"""The published schema: a valid 2020-12 schema, documented, and accepting every example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flowengine.flow.loader import parse
from flowengine.flow.schema import validate
from flowengine.flow.schema_doc import reference
from tests.conftest import EXAMPLE_FLOWS

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "flow.schema.json").read_text(encoding="utf-8"))
EXAMPLES = sorted((EXAMPLE_FLOWS).glob("*.yaml"))


def test_schema_is_valid_2020_12_with_an_id() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].endswith("/flow.schema.json")


def _properties(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{where}/properties/{name}", prop))
        for key, value in node.items():
            found += _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _properties(value, f"{where}/{index}")
    return found


def test_every_property_has_a_description_for_editors() -> None:
    missing = [
        where
        for where, prop in _properties(SCHEMA)
        if "description" not in prop and "$ref" not in prop
    ]
    assert missing == []
    for name, definition in SCHEMA["$defs"].items():
        assert definition.get("description"), name


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_validate_with_plain_jsonschema(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert first.endswith("/schemas/flow.schema.json")
    # Flow files are YAML 1.2 (as editors and check-jsonschema read them): `on` is a word,
    # not the YAML 1.1 boolean that PyYAML's safe_load would make of it.
    document = parse(text, str(example))
    Draft202012Validator(SCHEMA).validate(document.data)
    assert validate(document) == []


def test_schema_reference_doc_is_generated_from_the_schema() -> None:
    committed = (ROOT / "docs" / "schema-reference.md").read_text(encoding="utf-8")
    assert committed == reference(), (
        "run: python -m flowengine.flow.schema_doc > docs/schema-reference.md"
    )


def test_packaged_schema_is_the_published_one() -> None:
    packaged = Path(__file__).parent.parent / "flowengine" / "data" / "flow.schema.json"
    assert json.loads(packaged.read_text(encoding="utf-8")) == SCHEMA


@pytest.mark.parametrize(
    ("source", "message", "hint"),
    [
        (
            "start: m\nstates:\n  m:\n    gather: {digits: one}\n    on: {'1': m}\n",
            "state 'm': 'gather.digits' must be a whole number, not 'one'",
            "",
        ),
        (
            "start: m\nstates:\n  m:\n    sya: Hello\n",
            "state 'm' has an unknown key 'sya'",
            "did you mean 'say'?",
        ),
        (
            "start: m\nstates:\n  m:\n    dial: {timeout: 20}\n",
            "state 'm': 'dial' needs one of: number, numbers, client, sip, conference, queue",
            "",
        ),
        (
            "start: m\nstates:\n  m:\n    hangup: yes\n",
            "state 'm': 'hangup' cannot be 'yes'; write one of: true",
            "",
        ),
    ],
    ids=["type", "unknown-key", "one-of-required", "const"],
)
def test_schema_errors_are_written_for_people(source: str, message: str, hint: str) -> None:
    (problem,) = validate(parse(source, "f.yaml"))
    assert problem.message == message
    assert problem.hint.startswith(hint)
