"""The reporters of `flowengine diff`, by name: pure functions from a Diff to text."""

from __future__ import annotations

from collections.abc import Callable

from flowengine.diff.changes import Diff
from flowengine.diff.report_json import as_json
from flowengine.diff.report_markdown import markdown
from flowengine.diff.report_text import text
from flowengine.flow.graph import Graph

Reporter = Callable[[Diff, dict[str, Graph], dict[str, Graph]], str]
REPORTERS: dict[str, Reporter] = {"text": text, "markdown": markdown, "json": as_json}
