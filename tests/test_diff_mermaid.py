"""The Mermaid diagrams in `flowengine diff --format markdown`: parsed here line by line, and
rendered by mermaid-cli (`mmdc`, with Debian's Chromium) where it is installed. CI installs
it (.ci/run), so there a missing renderer fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
GOLDEN = sorted(FIXTURES.glob("*/expected.md"))
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_LABEL = r'"[^"]*"'
_SHAPES = (
    (r"\(\(", r"\)\)"),
    (r"\[", r"\]"),
    (r"\{", r"\}"),
    (r"\(", r"\)"),
    (r"\(\[", r"\]\)"),
    (r"\[\[", r"\]\]"),
)
NODE = re.compile(rf"^    ({_ID})(?:" + "|".join(f"{a}{_LABEL}{b}" for a, b in _SHAPES) + ")$")
LINK = re.compile(rf"^    ({_ID}) (-->|-\.->)(?:\|{_LABEL}\|)? ({_ID})$")
CLASSDEF = re.compile(rf"^    classDef ({_ID}) [a-z-]+:[^;]+$")
CLASS = re.compile(rf"^    class ({_ID}(?:,{_ID})*) ({_ID})$")
LINKSTYLE = re.compile(r"^    linkStyle (\d+(?:,\d+)*) [a-z-]+:[^;]+$")


def diagrams() -> list[tuple[str, str]]:
    found = []
    for path in GOLDEN:
        for index, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8"))):
            found.append((f"{path.parent.name}-{index}", block))
    return found


def check_syntax(text: str) -> None:
    """The subset of Mermaid's flowchart syntax the diagrams use, checked strictly."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("%% ") and lines[1] == "flowchart TD", lines[:2]
    nodes: set[str] = set()
    links = 0
    classes: set[str] = set()
    for line in lines[2:]:
        if match := NODE.match(line):
            assert match.group(1) not in nodes, f"node defined twice: {line}"
            nodes.add(match.group(1))
        elif match := LINK.match(line):
            assert {match.group(1), match.group(3)} <= nodes, f"link to an unknown node: {line}"
            links += 1
        elif match := CLASSDEF.match(line):
            classes.add(match.group(1))
        elif match := CLASS.match(line):
            assert match.group(2) in classes, f"class used before classDef: {line}"
            assert set(match.group(1).split(",")) <= nodes, line
        elif match := LINKSTYLE.match(line):
            assert all(int(i) < links for i in match.group(1).split(",")), line
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")


@pytest.mark.parametrize(("name", "text"), diagrams(), ids=[n for n, _ in diagrams()])
def test_every_diagram_parses(name: str, text: str) -> None:
    check_syntax(text)


def test_the_syntax_check_finds_mistakes() -> None:
    good = '%% x\nflowchart TD\n    a["a"]\n    b["b"]\n    a --> b\n    linkStyle 0 stroke:#000\n'
    check_syntax(good)
    for bad in (
        good.replace("a --> b", "a --> c"),  # unknown node
        good.replace('b["b"]', 'b["b "quoted""]'),  # a quote inside a label
        good.replace("linkStyle 0", "linkStyle 1"),  # no second link
    ):
        with pytest.raises(AssertionError):
            check_syntax(bad)


def renderer() -> str | None:
    return shutil.which("mmdc")


def chromium() -> str:
    return os.environ.get("FLOWENGINE_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.skipif(
    renderer() is None and not os.environ.get("CI"),
    reason="mermaid-cli (mmdc) is not installed; CI installs it",
)
def test_every_diagram_renders_with_mermaid_cli(tmp_path: Path) -> None:
    mmdc = renderer()
    assert mmdc is not None, "CI must install @mermaid-js/mermaid-cli (see .ci/run)"
    assert Path(chromium()).exists(), f"no Chromium at {chromium()} (set FLOWENGINE_CHROMIUM)"
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": chromium(), "args": ["--no-sandbox"]}))
    found = diagrams()
    # One Markdown file with every diagram: mermaid-cli renders each block to an SVG in one run.
    source = tmp_path / "all.md"
    source.write_text("".join(f"```mermaid\n{text}```\n\n" for _, text in found))
    done = subprocess.run(
        [mmdc, "-q", "-p", str(config), "-i", str(source), "-o", str(tmp_path / "out.md")],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    svgs = sorted(tmp_path.glob("out-*.svg"))
    assert len(svgs) == len(found)
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text and "Syntax error" not in text
