"""The common YAML mistakes are reported on the line the person has to change, in words.

Each fixture under tests/fixtures/yaml_mistakes holds one mistake in an otherwise good flow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flowengine.diagnostics import FlowError
from flowengine.flow import loader

MISTAKES = Path(__file__).parent / "fixtures" / "yaml_mistakes"
NEEDS_COLON = "a key and its value are written `key: value`, with a colon and a space"
INDENT = "like the other keys of the block it belongs to (line 4 is indented by 4)"

# file -> (line, column, message, hint)
EXPECTED = {
    "missing_colon": (
        14,
        5,
        "`say` needs a colon after it: `say: Connecting you to billing.`",
        NEEDS_COLON,
    ),
    "missing_colon_last_key": (5, 5, "`next` needs a colon after it: `next: goodbye`", NEEDS_COLON),
    "colon_in_text": (
        4,
        10,
        "the text after `say:` contains ': ', which YAML reads as another key",
        'put the whole text in quotes: `say: "Please note: our office is closed on Friday."`',
    ),
    "unclosed_quote": (
        4,
        10,
        'the text that starts with " here is never closed',
        'end the text with a matching " on the same line',
    ),
    "wrong_indentation": (
        5,
        6,
        "this line is indented by 5 spaces, which lines it up with nothing above it",
        f"indent it by 4 spaces, {INDENT}",
    ),
    "under_indentation": (
        5,
        4,
        "this line is indented by 3 spaces, which lines it up with nothing above it",
        f"indent it by 4 or 2 spaces, {INDENT}",
    ),
    "tab": (
        5,
        1,
        "this line is indented with a tab; YAML only accepts spaces",
        "replace the tab with spaces, lined up with the lines around it (most editors can be "
        "told to insert spaces for the Tab key)",
    ),
    "list_item_in_mapping": (
        5,
        5,
        "a list item ('- ') cannot go here: `menu:` (line 3) holds keys, not a list",
        "remove the '- ' to make it one more key, or put the list under a key of its own",
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    assert {p.stem for p in MISTAKES.glob("*.yaml")} == set(EXPECTED)


@pytest.fixture(params=["C", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    # PyYAML's C and pure-Python scanners word their errors differently; both must be explained.
    if request.param == "pure":

        class PureLoader(yaml.SafeLoader):
            resolve = loader._Loader.resolve  # type: ignore[assignment]

        monkeypatch.setattr(loader, "_Loader", PureLoader)
    return str(request.param)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mistake_is_reported_where_it_must_be_fixed(name: str, parser: str) -> None:
    path = MISTAKES / f"{name}.yaml"
    with pytest.raises(FlowError) as caught:
        loader.load_file(str(path))
    [found] = caught.value.diagnostics
    line, column, message, hint = EXPECTED[name]
    assert (found.line, found.column, found.message, found.hint) == (line, column, message, hint)
    written = path.read_text(encoding="utf-8").splitlines()[line - 1].replace("\t", " ")
    gutter = f"{line:>6} | "
    assert found.excerpt == f"{gutter}{written}\n{' ' * (len(gutter) - 2)}| {' ' * (column - 1)}^"
    assert str(found).splitlines()[:3] == [
        f"{path}:{line}:{column}: FE001 {message} (yaml-syntax)",
        *found.excerpt.splitlines(),
    ]


def test_other_syntax_errors_keep_pyyaml_words_with_the_line_shown() -> None:
    with pytest.raises(FlowError) as caught:
        loader.parse("a: *foo\n", "f.yaml")
    [found] = caught.value.diagnostics
    assert (found.line, found.column) == (1, 4)
    assert found.message == "YAML syntax: found undefined alias"
    assert "put the text in quotes" in found.hint
    assert found.excerpt.splitlines()[0] == "     1 | a: *foo"
