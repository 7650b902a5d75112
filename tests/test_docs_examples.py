"""The flows shown in the README and the guide must compile: people copy them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flowengine.flow.compiler import compile_source
from flowengine.flow.loader import Document, parse
from flowengine.flow.schema import validate

ROOT = Path(__file__).parent.parent
BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def blocks(doc: str) -> list[str]:
    return BLOCK.findall((ROOT / doc).read_text(encoding="utf-8"))


def test_the_readme_example_compiles() -> None:
    (example,) = blocks("README.md")
    graph = compile_source(example, "readme.yaml", environ={})
    assert graph.start == "menu" and "voicemail" in graph.states


GUIDE = [b for b in blocks("docs/flow-language.md") if "states:" in b and "start:" in b]


@pytest.mark.parametrize("example", GUIDE, ids=[f"guide-{i}" for i in range(len(GUIDE))])
def test_whole_flows_in_the_guide_compile(example: str) -> None:
    compile_source(example, "guide.yaml", environ={})


FRAGMENTS = [b for b in blocks("docs/flow-language.md") if b not in GUIDE]


@pytest.mark.parametrize(
    "fragment", FRAGMENTS, ids=[f"fragment-{i}" for i in range(len(FRAGMENTS))]
)
def test_fragments_in_the_guide_are_valid_yaml(fragment: str) -> None:
    data = parse(fragment).data
    assert data is not None or fragment.lstrip().startswith("#")


def test_state_fragments_in_the_guide_validate_as_states() -> None:
    checked = 0
    for fragment in FRAGMENTS:
        data = parse(fragment).data
        if not isinstance(data, dict) or set(data) & {"settings", "hours", "languages", "say"}:
            continue
        states = {name: body for name, body in data.items() if isinstance(body, dict)}
        if not states:
            continue
        flow = {"start": next(iter(states)), "states": states}
        problems = [p for p in validate(_document(flow)) if "unknown-state" not in p.name]
        assert problems == [], fragment
        checked += 1
    assert checked >= 6


def _document(data: dict[str, object]) -> Document:
    return parse(json.dumps(data))
